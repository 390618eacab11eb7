/**
 * Every callable's request and response schema, keyed like CALLABLES: the map the app's typed
 * `call(functions, name, request)` stands on, and that the server's implementations are checked
 * against at compile time (test/unit/contract-callables.test.ts).
 */
import type { z } from "zod";
import { BanUserRequest, BanUserResponse, SetUserRoleRequest, SetUserRoleResponse, UnbanUserRequest, UnbanUserResponse } from "./admin.js";
import type { CALLABLES } from "./callables.js";
import {
  DeleteCategoryRequest,
  DeleteItemRequest,
  ImportMenuRequest,
  ImportMenuResponse,
  SaveCategoryRequest,
  SavedResponse,
  SaveItemRequest,
  SaveRestaurantRequest,
} from "./catalog.js";
import { InvoiceResponse, RequestInvoiceRequest } from "./billing.js";
import { CheckoutRequest, CheckoutResponse, QuoteRequest, QuoteResponse } from "./checkout.js";
import { RecordCashCollectionRequest, RecordCashCollectionResponse, ReportLocationRequest, ReportLocationResponse } from "./delivery.js";
import { StartProbeRequest, StartProbeResponse } from "./diagnostics.js";
import {
  BroadcastStatus,
  DeviceResponse,
  NotificationPreferences,
  RegisterDeviceRequest,
  ResumeBroadcastRequest,
  StartBroadcastRequest,
  UnregisterDeviceRequest,
  UpdateNotificationPreferencesRequest,
} from "./notifications.js";
import { OrderTraceRequest, OrderTraceResponse, ReplayDeadLetterRequest, ReplayDeadLetterResponse } from "./ops.js";
import { AdminOrderAction, CancelOrderRequest, CourierOrderAction, CourierStatusRequest, CourierStatusResponse, OrderActionResponse, RestaurantOrderAction } from "./orders.js";
import {
  DeleteAccountRequest,
  DeleteAccountResponse,
  SyncPhoneRequest,
  SyncPhoneResponse,
  UpdateProfileRequest,
  UpdateProfileResponse,
} from "./profile.js";
import { ListHeldOrdersRequest, ListHeldOrdersResponse, ReviewHeldOrderRequest, ReviewHeldOrderResponse } from "./risk.js";

export const CALLABLE_SCHEMAS = {
  startProbe: { request: StartProbeRequest, response: StartProbeResponse },
  setUserRole: { request: SetUserRoleRequest, response: SetUserRoleResponse },
  banUser: { request: BanUserRequest, response: BanUserResponse },
  unbanUser: { request: UnbanUserRequest, response: UnbanUserResponse },
  listHeldOrders: { request: ListHeldOrdersRequest, response: ListHeldOrdersResponse },
  reviewHeldOrder: { request: ReviewHeldOrderRequest, response: ReviewHeldOrderResponse },
  updateProfile: { request: UpdateProfileRequest, response: UpdateProfileResponse },
  deleteAccount: { request: DeleteAccountRequest, response: DeleteAccountResponse },
  syncPhone: { request: SyncPhoneRequest, response: SyncPhoneResponse },
  saveRestaurant: { request: SaveRestaurantRequest, response: SavedResponse },
  saveCategory: { request: SaveCategoryRequest, response: SavedResponse },
  deleteCategory: { request: DeleteCategoryRequest, response: SavedResponse },
  saveItem: { request: SaveItemRequest, response: SavedResponse },
  deleteItem: { request: DeleteItemRequest, response: SavedResponse },
  importMenu: { request: ImportMenuRequest, response: ImportMenuResponse },
  placeOrder: { request: CheckoutRequest, response: CheckoutResponse },
  quoteCart: { request: QuoteRequest, response: QuoteResponse },
  restaurantOrderAction: { request: RestaurantOrderAction, response: OrderActionResponse },
  cancelOrder: { request: CancelOrderRequest, response: OrderActionResponse },
  requestInvoice: { request: RequestInvoiceRequest, response: InvoiceResponse },
  adminOrderAction: { request: AdminOrderAction, response: OrderActionResponse },
  updateCourierStatus: { request: CourierStatusRequest, response: CourierStatusResponse },
  courierOrderAction: { request: CourierOrderAction, response: OrderActionResponse },
  reportLocation: { request: ReportLocationRequest, response: ReportLocationResponse },
  recordCashCollection: { request: RecordCashCollectionRequest, response: RecordCashCollectionResponse },
  registerDevice: { request: RegisterDeviceRequest, response: DeviceResponse },
  unregisterDevice: { request: UnregisterDeviceRequest, response: DeviceResponse },
  updateNotificationPreferences: { request: UpdateNotificationPreferencesRequest, response: NotificationPreferences },
  startBroadcast: { request: StartBroadcastRequest, response: BroadcastStatus },
  resumeBroadcast: { request: ResumeBroadcastRequest, response: BroadcastStatus },
  replayDeadLetter: { request: ReplayDeadLetterRequest, response: ReplayDeadLetterResponse },
  orderTrace: { request: OrderTraceRequest, response: OrderTraceResponse },
} as const satisfies Record<keyof typeof CALLABLES, { request: z.ZodType; response: z.ZodType }>;

/** A callable's key in CALLABLES (`placeOrder`); its deployed name is `CALLABLES[name]`. */
export type CallableName = keyof typeof CALLABLES;

/** What the app sends (before the schema's defaults and cleaning apply). */
export type CallableRequest<N extends CallableName> = z.input<(typeof CALLABLE_SCHEMAS)[N]["request"]>;

/** What the server's implementation receives, after the schema parsed the request. */
export type CallableParsedRequest<N extends CallableName> = z.output<(typeof CALLABLE_SCHEMAS)[N]["request"]>;

/** What the app gets back: the response, and the call's correlation id (the gateway adds it). */
export type CallableResponse<N extends CallableName> = z.output<(typeof CALLABLE_SCHEMAS)[N]["response"]> & { correlationId: string };

/** Name -> request and response, for code that wants the whole map as one type. */
export type CallableMap = { [N in CallableName]: { request: CallableRequest<N>; response: CallableResponse<N> } };
