/**
 * What each order event says, to whom, in English and Spanish. A template is chosen by
 * (event type, audience) and filled from the order; the recipient's profile locale picks the
 * language. `critical` messages escalate to SMS when push cannot reach the person; `urgent`
 * ones ignore quiet hours (an order in progress cannot wait until morning). Pure.
 *
 * Nothing a client or staff member wrote is ever put in a message (restaurant and item names,
 * addresses, instructions, free-text reasons): a push or SMS in our name could otherwise carry
 * anyone's words to anyone's phone. A message holds our fixed sentences, the order's short
 * reference, its total and counts, and a fixed sentence per reason code.
 */
import type { Category } from "../contract/notifications";
import type { LOCALES } from "../contract/primitives";

export type Locale = (typeof LOCALES)[number];

export type Audience = "customer" | "restaurant" | "courier";

export interface OrderDetails {
  orderId: string;
  total: { amount: number; currency: string };
  /** Units ordered, all lines together. */
  itemCount: number;
  /** A reason code (contract/orders.ts or a system cancellation's); anything else is not shown. */
  reason?: string | null;
}

export interface Rendered {
  title: string;
  body: string;
  critical: boolean;
  urgent: boolean;
  /** Whose channel preferences apply. */
  category: Category;
}

type Text = (d: OrderDetails) => { title: string; body: string };

interface Template {
  en: Text;
  es: Text;
  critical?: boolean;
  /** False for news that can wait until the recipient's quiet hours end. */
  urgent?: boolean;
  /** Order updates unless told otherwise. */
  category?: Category;
}

/** The short reference people read out on the phone: the order id's last six characters. */
export const shortRef = (orderId: string) => `#${orderId.slice(-6).toUpperCase()}`;

function money(total: OrderDetails["total"], locale: Locale): string {
  return new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", { style: "currency", currency: total.currency }).format(total.amount / 100);
}

const itemCount = (d: OrderDetails, locale: Locale) =>
  locale === "es" ? `${d.itemCount} ${d.itemCount === 1 ? "artículo" : "artículos"}` : `${d.itemCount} ${d.itemCount === 1 ? "item" : "items"}`;

/** The sentence each reason code gives the customer; a code not listed here adds nothing. */
export const REASON_SENTENCES: Record<Locale, Record<string, string>> = {
  en: {
    "out-of-stock": "Some of what you ordered has run out.",
    "kitchen-closed": "The kitchen is closed.",
    "too-busy": "The restaurant is too busy right now.",
    "cannot-deliver-there": "The restaurant cannot deliver to your address.",
    "changed-mind": "You cancelled it.",
    "ordered-by-mistake": "You cancelled it.",
    "taking-too-long": "You cancelled it.",
    "customer-request": "We cancelled it at your request.",
    "restaurant-request": "We cancelled it at the restaurant's request.",
    "suspected-fraud": "We could not verify it.",
    "payment-problem": "There was a problem with the payment.",
    "restaurant-did-not-accept": "The restaurant did not answer in time.",
    "no-courier": "No courier was available.",
  },
  es: {
    "out-of-stock": "Se ha agotado algo de lo que pediste.",
    "kitchen-closed": "La cocina está cerrada.",
    "too-busy": "El restaurante tiene demasiados pedidos ahora.",
    "cannot-deliver-there": "El restaurante no puede entregar en tu dirección.",
    "changed-mind": "Lo has cancelado tú.",
    "ordered-by-mistake": "Lo has cancelado tú.",
    "taking-too-long": "Lo has cancelado tú.",
    "customer-request": "Lo hemos cancelado a petición tuya.",
    "restaurant-request": "Lo hemos cancelado a petición del restaurante.",
    "suspected-fraud": "No hemos podido verificarlo.",
    "payment-problem": "Ha habido un problema con el pago.",
    "restaurant-did-not-accept": "El restaurante no respondió a tiempo.",
    "no-courier": "No había ningún repartidor disponible.",
  },
};

const because = (d: OrderDetails, locale: Locale) => {
  const sentence = d.reason ? REASON_SENTENCES[locale][d.reason] : undefined;
  return sentence ? ` ${sentence}` : "";
};

const TEMPLATES: Record<string, Partial<Record<Audience, Template>>> = {
  // Held by the fraud rules (risk/rules.ts): the restaurant hears of it only once it is approved.
  "orders.v1.held": {
    customer: {
      en: (d) => ({ title: `We are checking order ${shortRef(d.orderId)}`, body: "It goes to the restaurant once it is confirmed. Nothing is charged before that." }),
      es: (d) => ({ title: `Estamos revisando el pedido ${shortRef(d.orderId)}`, body: "Irá al restaurante en cuanto se confirme. No se cobra nada antes." }),
    },
  },
  "orders.v1.placed": {
    customer: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} placed`, body: `The restaurant has your order (${money(d.total, "en")}). We will tell you when they accept it.` }),
      es: (d) => ({ title: `Pedido ${shortRef(d.orderId)} realizado`, body: `El restaurante ha recibido tu pedido (${money(d.total, "es")}). Te avisaremos cuando lo acepte.` }),
    },
    restaurant: {
      en: (d) => ({ title: `New order ${shortRef(d.orderId)}`, body: `${itemCount(d, "en")}. Open the board to see it.` }),
      es: (d) => ({ title: `Nuevo pedido ${shortRef(d.orderId)}`, body: `${itemCount(d, "es")}. Ábrelo en el panel.` }),
    },
  },
  "orders.v1.accepted": {
    customer: {
      en: (d) => ({ title: "The restaurant accepted your order", body: `Order ${shortRef(d.orderId)} is confirmed.` }),
      es: (d) => ({ title: "El restaurante ha aceptado tu pedido", body: `El pedido ${shortRef(d.orderId)} está confirmado.` }),
    },
  },
  "orders.v1.preparing": {
    customer: {
      en: (d) => ({ title: "Your order is being prepared", body: `The restaurant is cooking order ${shortRef(d.orderId)}.` }),
      es: (d) => ({ title: "Tu pedido se está preparando", body: `El restaurante está cocinando el pedido ${shortRef(d.orderId)}.` }),
    },
  },
  "orders.v1.ready": {
    courier: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} is ready`, body: "Pick it up at the restaurant; the app shows where." }),
      es: (d) => ({ title: `El pedido ${shortRef(d.orderId)} está listo`, body: "Recógelo en el restaurante; la app te indica dónde." }),
    },
  },
  "orders.v1.courier-offered": {
    courier: {
      en: (d) => ({ title: "New delivery for you", body: `Order ${shortRef(d.orderId)}. Accept it in the app.` }),
      es: (d) => ({ title: "Nuevo reparto para ti", body: `Pedido ${shortRef(d.orderId)}. Acéptalo en la app.` }),
    },
  },
  "orders.v1.courier-assigned": {
    customer: {
      en: () => ({ title: "A courier has your order", body: "They are heading to the restaurant." }),
      es: () => ({ title: "Un repartidor lleva tu pedido", body: "Va de camino al restaurante." }),
    },
  },
  "orders.v1.picked-up": {
    customer: {
      critical: true,
      en: (d) => ({ title: "Your order is on its way", body: `The courier has left the restaurant with order ${shortRef(d.orderId)}.` }),
      es: (d) => ({ title: "Tu pedido va de camino", body: `El repartidor ha salido del restaurante con el pedido ${shortRef(d.orderId)}.` }),
    },
  },
  "orders.v1.delivered": {
    customer: {
      en: (d) => ({ title: "Delivered. Enjoy your meal!", body: `Order ${shortRef(d.orderId)} has arrived.` }),
      es: (d) => ({ title: "Entregado. ¡Que aproveche!", body: `Ha llegado el pedido ${shortRef(d.orderId)}.` }),
    },
  },
  "orders.v1.rejected": {
    customer: {
      critical: true,
      en: (d) => ({ title: "The restaurant could not take your order", body: `Order ${shortRef(d.orderId)} was declined.${because(d, "en")} You have not been charged.` }),
      es: (d) => ({ title: "El restaurante no ha podido aceptar tu pedido", body: `El pedido ${shortRef(d.orderId)} ha sido rechazado.${because(d, "es")} No se te ha cobrado.` }),
    },
  },
  "orders.v1.cancelled": {
    customer: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} cancelled`, body: `Any payment will be returned to you.${because(d, "en")}` }),
      es: (d) => ({ title: `Pedido ${shortRef(d.orderId)} cancelado`, body: `Te devolveremos cualquier pago.${because(d, "es")}` }),
    },
    restaurant: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} cancelled`, body: "Stop preparing it." }),
      es: (d) => ({ title: `Pedido ${shortRef(d.orderId)} cancelado`, body: "Deja de prepararlo." }),
    },
  },
  "orders.v1.refunded": {
    customer: {
      urgent: false,
      en: (d) => ({ title: "Refund on its way", body: `${money(d.total, "en")} for order ${shortRef(d.orderId)} goes back to your card in 5 to 10 days.` }),
      es: (d) => ({ title: "Reembolso en camino", body: `${money(d.total, "es")} del pedido ${shortRef(d.orderId)} vuelven a tu tarjeta en 5 a 10 días.` }),
    },
  },
  "orders.v1.expired": {
    customer: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} expired`, body: "The payment was not completed in time. Nothing was charged." }),
      es: (d) => ({ title: `El pedido ${shortRef(d.orderId)} ha caducado`, body: "El pago no se completó a tiempo. No se ha cobrado nada." }),
    },
  },
  // Not an order event: the receipt billing/ issues for a delivered order, its PDF attached to the email.
  "receipts.v1.issued": {
    customer: {
      category: "receipts",
      urgent: false,
      en: (d) => ({ title: `Your receipt for order ${shortRef(d.orderId)}`, body: `Thank you for your order. Your receipt (${money(d.total, "en")}) is attached as a PDF.` }),
      es: (d) => ({ title: `Tu recibo del pedido ${shortRef(d.orderId)}`, body: `Gracias por tu pedido. Adjuntamos tu recibo (${money(d.total, "es")}) en PDF.` }),
    },
  },
  "orders.v1.payment-failed": {
    customer: {
      critical: true,
      en: (d) => ({ title: "Your payment did not go through", body: `Order ${shortRef(d.orderId)} was not placed. Try another card.` }),
      es: (d) => ({ title: "Tu pago no se ha completado", body: `El pedido ${shortRef(d.orderId)} no se ha realizado. Prueba con otra tarjeta.` }),
    },
  },
};

/** The message `type` gives `audience`, in `locale`; undefined when they are not told. */
export function renderOrderMessage(type: string, audience: Audience, locale: Locale, details: OrderDetails): Rendered | undefined {
  const template = TEMPLATES[type]?.[audience];
  if (!template) return undefined;
  // An order in progress cannot wait until morning; a refund on its way can.
  return { ...template[locale](details), critical: template.critical ?? false, urgent: template.urgent ?? true, category: template.category ?? "orderUpdates" };
}

/** Who hears about an event of `type` (nobody: an empty list). */
export function audienceOf(type: string): Audience[] {
  return Object.keys(TEMPLATES[type] ?? {}) as Audience[];
}
