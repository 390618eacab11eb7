/**
 * Every deploy-time parameter and secret of the codebase, declared once. Values come from
 * `functions/.env*` files (the emulator reads `.env.local`) or are prompted for at deploy.
 * Call `.value()` only inside handlers: at module scope it would run during deploy analysis.
 */
import { defineBoolean, defineInt, defineSecret, defineString } from "firebase-functions/params";

/** Reject callables and catalog API requests without a valid App Check token. Off in the emulator, on in production. */
export const appCheckEnforced = defineBoolean("APP_CHECK_ENFORCED", {
  default: true,
  description: "Reject callable and catalog API requests without a valid App Check token.",
});

/**
 * The oldest contract version (`@food-delivery/client`, semver) an app may call with; older apps,
 * or apps sending none, get `failed-precondition` / `app-update-required`. Empty or 0.0.0: off.
 */
export const minAppVersion = defineString("MIN_APP_VERSION", {
  default: "0.0.0",
  description: "Oldest client contract version served (major.minor.patch); older apps are told to update. 0.0.0 turns the check off.",
});

/** Default per-user budget for a callable that declares no rate limit of its own. */
export const defaultRateLimitPerMinute = defineInt("RATE_LIMIT_PER_MINUTE", {
  default: 60,
  description: "Calls per user per minute allowed to a callable that sets no limit of its own.",
});

/** Requests per client address per minute to the public catalog API, held per instance. */
export const catalogApiPerMinute = defineInt("CATALOG_API_PER_MINUTE", {
  default: 120,
  description: "Requests one client address may make to the catalog API per minute (per instance); more answer 429.",
});

/** Proxies of our own in front of the functions, skipped from the end of X-Forwarded-For. */
export const trustedProxyHops = defineInt("TRUSTED_PROXY_HOPS", {
  default: 0,
  description: "Proxies the deployment puts in front of the functions (e.g. 1 behind an external Application Load Balancer); the client address is read that many hops from the end of X-Forwarded-For.",
});

/** Minutes a card order waits for its payment before the reservation lapses. */
export const paymentWindowMinutes = defineInt("PAYMENT_WINDOW_MINUTES", {
  default: 15,
  description: "Minutes a card order may wait for payment before its stock and promo are released.",
});

/** Largest tip, as a percentage of the order's subtotal (before discount). */
export const maxTipPercent = defineInt("MAX_TIP_PERCENT", {
  default: 50,
  description: "Largest tip accepted at checkout, as a percentage of the subtotal.",
});

/** Largest tip in minor units, whatever the subtotal. */
export const maxTip = defineInt("MAX_TIP", {
  default: 10_000,
  description: "Largest tip accepted at checkout, in minor units of the restaurant's currency.",
});

/** Largest order total in minor units: a bigger order is refused at checkout. */
export const maxOrderTotal = defineInt("MAX_ORDER_TOTAL", {
  default: 100_000,
  description: "Largest order total accepted at checkout, in minor units of the restaurant's currency.",
});

/** Cash orders only from accounts whose phone Firebase Auth verified (a fake cash order costs nothing). */
export const cashRequiresVerifiedPhone = defineBoolean("CASH_REQUIRES_VERIFIED_PHONE", {
  default: true,
  description: "Accept cash orders only from accounts with a phone number verified by Firebase Auth.",
});

/** Cash orders one account may have open (placed, not yet delivered or ended) at once. */
export const maxOpenCashOrders = defineInt("MAX_OPEN_CASH_ORDERS", {
  default: 2,
  description: "Most open cash orders one account may have at once; another cash checkout is refused until one ends.",
});

/*
 * Fraud rules' thresholds (risk/rules.ts holds the rules: what each counts and whether it refuses
 * or holds). A rule trips when its counted value is above its limit.
 */
/** The velocity rules' window: failed payments and orders counted over this many hours. */
export const riskWindowHours = defineInt("RISK_WINDOW_HOURS", {
  default: 24,
  description: "Hours over which the fraud rules count failed payments and orders per user, card, address and device.",
});

export const riskFailedPaymentsPerUser = defineInt("RISK_FAILED_PAYMENTS_PER_USER", {
  default: 5,
  description: "Failed card payments one account may have in the window; past it its checkouts are refused (risk-review).",
});

export const riskFailedPaymentsPerCard = defineInt("RISK_FAILED_PAYMENTS_PER_CARD", {
  default: 5,
  description: "Failed payments one card (by fingerprint, on any account) may have in the window; past it checkouts of accounts that used it are refused.",
});

export const riskOrdersPerAddress = defineInt("RISK_ORDERS_PER_ADDRESS", {
  default: 10,
  description: "Orders to one delivery address in the window (any account); past it checkouts are held for review.",
});

export const riskOrdersPerDevice = defineInt("RISK_ORDERS_PER_DEVICE", {
  default: 10,
  description: "Orders from one device (checkout deviceId) in the window; past it checkouts are held for review.",
});

/** An account younger than this is new: the two limits below apply to it. */
export const riskNewAccountHours = defineInt("RISK_NEW_ACCOUNT_HOURS", {
  default: 24,
  description: "Hours an account counts as new for the new-account fraud rules.",
});

export const riskNewAccountMaxOrders = defineInt("RISK_NEW_ACCOUNT_MAX_ORDERS", {
  default: 3,
  description: "Orders a new account may place before further checkouts are held for review.",
});

export const riskNewAccountMaxTotal = defineInt("RISK_NEW_ACCOUNT_MAX_TOTAL", {
  default: 15000,
  description: "Largest order total (minor units) a new account may place without review; larger ones are held.",
});

/** Checkouts of one stock-tracked item that one instance runs at once (load shedding, checkout.service.ts). */
export const checkoutItemMaxInFlight = defineInt("CHECKOUT_ITEM_MAX_IN_FLIGHT", {
  default: 10,
  description: "Checkouts of one stock-tracked item that one instance runs at once; more wait for a turn.",
});

/** Checkouts of one item that may wait for a turn in one instance; past that they are refused at once. */
export const checkoutItemMaxQueued = defineInt("CHECKOUT_ITEM_MAX_QUEUED", {
  default: 100,
  description: "Checkouts of one stock-tracked item that may wait for a turn in one instance; more are refused (resource-exhausted, item-busy).",
});

/** How long a checkout may wait for a turn and retry its reservation under contention before it answers unavailable. */
export const checkoutContentionBudgetMs = defineInt("CHECKOUT_CONTENTION_BUDGET_MS", {
  default: 4000,
  description: "Milliseconds a checkout may spend waiting for its item's turn and retrying its reservation transaction before it answers unavailable (checkout-contended).",
});

/**
 * Share of new traces recorded (0 to 1); a request that arrives with a trace context keeps its
 * caller's decision. A string param: firebase-functions has no public float param, and the
 * value is parsed and clamped where the tracer is built (shared/tracing.ts).
 */
export const traceSampleRatio = defineString("TRACE_SAMPLE_RATIO", {
  default: "0.1",
  description: "Share of new traces exported to Cloud Trace, from 0 to 1; requests carrying a traceparent follow its sampled flag.",
});

/** Minutes a restaurant has to accept a placed order before it is cancelled and refunded. */
export const acceptanceWindowMinutes = defineInt("ACCEPTANCE_WINDOW_MINUTES", {
  default: 10,
  description: "Minutes a restaurant has to accept an order before it is cancelled with a refund.",
});

/** Seconds a courier has to answer an offer before it goes to the next nearest. */
export const courierOfferSeconds = defineInt("COURIER_OFFER_SECONDS", {
  default: 60,
  description: "Seconds a courier has to accept an offered delivery before it is offered to another.",
});

/** Minutes without a courier before dispatch escalates (and, as long again, gives up). */
export const courierSearchMinutes = defineInt("COURIER_SEARCH_MINUTES", {
  default: 15,
  description: "Minutes an accepted order may wait for a courier before dispatch escalates; after twice this, the order is cancelled and refunded.",
});

/** How far from the restaurant couriers are looked for (doubled once the search escalates). */
export const courierSearchRadiusKm = defineInt("COURIER_SEARCH_RADIUS_KM", {
  default: 5,
  description: "Radius around the restaurant within which couriers are offered a delivery.",
});

/** The report interval the courier's app is told to keep while delivering (battery against freshness). */
export const trackingReportIntervalSeconds = defineInt("TRACKING_REPORT_INTERVAL_SECONDS", {
  default: 15,
  description: "Seconds between a delivering courier's location reports, as the app is told to send them.",
});

/** Reports closer together than this are refused per courier (`resource-exhausted`), whatever the app does. */
export const trackingMinIntervalSeconds = defineInt("TRACKING_MIN_INTERVAL_SECONDS", {
  default: 5,
  description: "Shortest gap the server accepts between two location reports of one courier; a faster one is refused.",
});

/** A location fix older than this says nothing about where the courier is now. */
export const trackingMaxAgeSeconds = defineInt("TRACKING_MAX_AGE_SECONDS", {
  default: 60,
  description: "Oldest location fix (by its device time) a report may carry; older ones are refused.",
});

/** Speed the ETA shown to the customer assumes over the straight-line distance to the door. */
export const courierSpeedKmh = defineInt("COURIER_SPEED_KMH", {
  default: 15,
  description: "Courier speed in km/h that the delivery ETA assumes over the straight-line distance to the drop-off.",
});

/** Where a courier's cash day starts and ends, for the per-day reconciliation. */
export const cashDayTimeZone = defineString("CASH_DAY_TIME_ZONE", {
  default: "Europe/Madrid",
  description: "IANA time zone whose calendar days split couriers' cash reconciliations.",
});

/** Stripe's secret API key (sk_live_… / sk_test_…). */
export const stripeSecretKey = defineSecret("STRIPE_SECRET_KEY");

/** Signing secret of the Stripe webhook endpoint (whsec_…). */
export const stripeWebhookSecret = defineSecret("STRIPE_WEBHOOK_SECRET");

/** Stripe API base URL; empty for Stripe itself. Local runs point it at the Stripe double. */
export const stripeApiUrl = defineString("STRIPE_API_URL", {
  default: "",
  description: "Base URL of the Stripe API; leave empty in production.",
});

/** Twilio account that sends SMS (AC…). */
export const twilioAccountSid = defineString("TWILIO_ACCOUNT_SID", {
  description: "Twilio account SID (AC…) that sends SMS.",
});

/** Twilio's auth token: signs API calls and status callbacks. */
export const twilioAuthToken = defineSecret("TWILIO_AUTH_TOKEN");

/** Sender of SMS: a Messaging Service SID (MG…) or an E.164 number. */
export const twilioSender = defineString("TWILIO_SENDER", {
  description: "Messaging Service SID (MG…) or E.164 number that SMS are sent from.",
});

/** Twilio API base URL; empty for Twilio itself. Local runs point it at the Twilio double. */
export const twilioApiUrl = defineString("TWILIO_API_URL", {
  default: "",
  description: "Base URL of the Twilio API; leave empty in production.",
});

/** The SMTP server that sends email (any provider: SES, SendGrid, Postmark, Mailgun… all speak SMTP). */
export const smtpHost = defineString("SMTP_HOST", {
  description: "Host name of the SMTP server that sends email (the provider's SMTP relay).",
});

/** 465 with SMTP_SECURE=true (TLS from the start), 587 with SMTP_SECURE=false (STARTTLS). */
export const smtpPort = defineInt("SMTP_PORT", {
  default: 587,
  description: "Port of the SMTP server: 587 (STARTTLS) or 465 (TLS, with SMTP_SECURE=true).",
});

export const smtpSecure = defineBoolean("SMTP_SECURE", {
  default: false,
  description: "true: TLS from the first byte (port 465); false: STARTTLS when the server offers it (port 587).",
});

/** The SMTP user name; empty for a server that takes mail without authentication (the local sink). */
export const smtpUser = defineString("SMTP_USER", {
  default: "",
  description: "User name for SMTP authentication; empty for none.",
});

/** The SMTP password (or the provider's API key used as one). */
export const smtpPassword = defineSecret("SMTP_PASSWORD");

/** What every email says it is from; the provider must allow this sender (SPF/DKIM for its domain). */
export const emailFrom = defineString("EMAIL_FROM", {
  description: "From address of every email, e.g. \"Food Delivery <receipts@example.com>\"; the SMTP provider must be allowed to send for its domain.",
});

/** How long one email send waits for the server's final answer; past it the outcome is unknown, not failed. */
export const smtpTimeoutSeconds = defineInt("SMTP_TIMEOUT_SECONDS", {
  default: 20,
  description: "Seconds one SMTP send may take, final answer included; past it the email is recorded unknown, not resent.",
});

/** How long one Stripe call waits for its whole answer (shared/provider-policies.ts). */
export const stripeTimeoutSeconds = defineInt("STRIPE_TIMEOUT_SECONDS", {
  default: 6,
  description: "Seconds one Stripe call may take, answer included; past it the call counts as an outage (checkout retries it once).",
});

/** How long one FCM sendEach waits for its whole answer; past it its messages are unknown. */
export const fcmTimeoutSeconds = defineInt("FCM_TIMEOUT_SECONDS", {
  default: 15,
  description: "Seconds one FCM sendEach call may take, answer included; past it its messages are recorded unknown, not resent.",
});

/** How long an open provider circuit breaker refuses calls before it lets one trial call through. */
export const providerBreakerCooldownSeconds = defineInt("PROVIDER_BREAKER_COOLDOWN_SECONDS", {
  default: 30,
  description: "Seconds a provider's circuit breaker stays open (calls refused at once) before one trial call may close it.",
});

/** How long an SMS send waits for Twilio's answer; past it the outcome is unknown, not failed. */
export const twilioTimeoutSeconds = defineInt("TWILIO_TIMEOUT_SECONDS", {
  default: 30,
  description: "Seconds to wait for Twilio's answer to a send before recording its outcome as unknown.",
});

/** Where Twilio reports delivery: the public URL of `notifications-twilioStatus`; empty for none. */
export const twilioStatusCallbackUrl = defineString("TWILIO_STATUS_CALLBACK_URL", {
  default: "",
  description: "Public URL of the notifications-twilioStatus function; Twilio signs its callbacks for this exact URL.",
});

/** SMS any one user may be sent per hour, whatever asks for them (paid messages are abusable). */
export const smsPerUserPerHour = defineInt("SMS_PER_USER_PER_HOUR", {
  default: 5,
  description: "Most SMS one user is sent in an hour; more are skipped and recorded.",
});

/** SMS any one destination number may be sent per hour, whichever accounts it belongs to. */
export const smsPerNumberPerHour = defineInt("SMS_PER_NUMBER_PER_HOUR", {
  default: 5,
  description: "Most SMS one phone number is sent in an hour, across all accounts; more are skipped and recorded.",
});

/** SMS the whole system may send in an hour: the ceiling on what abuse can cost. */
export const smsBudgetPerHour = defineInt("SMS_BUDGET_PER_HOUR", {
  default: 2000,
  description: "Most SMS sent in an hour in all; past it SMS are skipped and an operator is alerted (sms.budget-exhausted).",
});

/** Country calling codes SMS may go to; other numbers (premium, far away) are never texted. */
export const smsAllowedPrefixes = defineString("SMS_ALLOWED_PREFIXES", {
  default: "+34,+44,+33,+49,+39,+351,+1",
  description: "Comma-separated E.164 prefixes SMS may be sent to; a number with any other prefix is refused.",
});

/** Accounts one phone number may have belonged to before operators are alerted. */
export const phoneAccountsAlert = defineInt("PHONE_ACCOUNTS_ALERT", {
  default: 3,
  description: "Distinct accounts one verified phone number may have belonged to; past it the number is flagged for operators.",
});

/** FCM API base URL; empty for FCM itself. Local runs point it at the FCM double. */
export const fcmApiUrl = defineString("FCM_API_URL", {
  default: "",
  description: "Base URL of the FCM API; leave empty in production.",
});

/** Recipients one broadcast batch handles (each batch is one Cloud Task). */
export const broadcastBatchSize = defineInt("BROADCAST_BATCH_SIZE", {
  default: 250,
  description: "Users per broadcast batch; each batch sends their devices' messages in sendEach calls of at most 500.",
});

/** Refuse sign-in of staff and admin accounts whose email is not verified (auth-beforeUserSignedIn). */
export const requireVerifiedEmailForStaff = defineBoolean("REQUIRE_VERIFIED_EMAIL_FOR_STAFF", {
  default: false,
  description: "Refuse sign-in of staff and admin accounts without a verified email.",
});

/** Refuse sign-in of staff and admin accounts with no second factor enrolled (auth-beforeUserSignedIn). */
export const requireMfaForStaff = defineBoolean("REQUIRE_MFA_FOR_STAFF", {
  default: false,
  description: "Refuse sign-in of staff and admin accounts that have not enrolled a second factor.",
});

/** What an uptime check sends in `x-health-token` to read `ops-health` (admins use their ID token). */
export const healthCheckToken = defineSecret("HEALTH_CHECK_TOKEN");

/** Open dead letters `ops-health` tolerates before it answers degraded. */
export const healthMaxOpenDeadLetters = defineInt("HEALTH_MAX_OPEN_DEAD_LETTERS", {
  default: 0,
  description: "Open dead letters tolerated before ops-health answers 503 degraded.",
});

/** Outbox records unpublished past their grace that `ops-health` tolerates. */
export const healthMaxOutboxLagging = defineInt("HEALTH_MAX_OUTBOX_LAGGING", {
  default: 0,
  description: "Outbox records still unpublished after the outbox sweep should have published them, tolerated before ops-health answers degraded.",
});

/** Notification claims left `sending` past their lease that `ops-health` tolerates. */
export const healthMaxStuckSending = defineInt("HEALTH_MAX_STUCK_SENDING", {
  default: 0,
  description: "Notification ledger entries stuck in sending, tolerated before ops-health answers degraded.",
});

/** Orders carrying an attention flag that `ops-health` tolerates (each already asks a person to look). */
export const healthMaxAttentionOrders = defineInt("HEALTH_MAX_ATTENTION_ORDERS", {
  default: 10,
  description: "Orders flagged for attention tolerated before ops-health answers degraded.",
});

/** Orders past the time their state allows (ops/stuck-work.ts) that `ops-health` tolerates. */
export const healthMaxStuckOrders = defineInt("HEALTH_MAX_STUCK_ORDERS", {
  default: 0,
  description: "Orders stuck in a state longer than it allows, tolerated before ops-health answers degraded.",
});
