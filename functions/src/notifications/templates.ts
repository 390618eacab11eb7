/**
 * What each order event says, to whom, in English and Spanish. A template is chosen by
 * (event type, audience) and filled from the order; the recipient's profile locale picks the
 * language. `critical` messages escalate to SMS when push cannot reach the person; `urgent`
 * ones ignore quiet hours (an order in progress cannot wait until morning). Pure.
 */
import type { LOCALES } from "../contract/primitives";

export type Locale = (typeof LOCALES)[number];

export type Audience = "customer" | "restaurant" | "courier";

export interface OrderDetails {
  orderId: string;
  restaurantName: string;
  total: { amount: number; currency: string };
  items: { name: string; quantity: number }[];
  reason?: string | null;
}

export interface Rendered {
  title: string;
  body: string;
  critical: boolean;
  urgent: boolean;
}

type Text = (d: OrderDetails) => { title: string; body: string };

interface Template {
  en: Text;
  es: Text;
  critical?: boolean;
  /** False for news that can wait until the recipient's quiet hours end. */
  urgent?: boolean;
}

/** The short reference people read out on the phone: the order id's last six characters. */
export const shortRef = (orderId: string) => `#${orderId.slice(-6).toUpperCase()}`;

function money(total: OrderDetails["total"], locale: Locale): string {
  return new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", { style: "currency", currency: total.currency }).format(total.amount / 100);
}

const itemList = (d: OrderDetails) => d.items.map((i) => `${i.quantity}× ${i.name}`).join(", ");
const because = (d: OrderDetails, word: string) => (d.reason ? ` ${word}: ${d.reason}.` : "");

const TEMPLATES: Record<string, Partial<Record<Audience, Template>>> = {
  "orders.v1.placed": {
    customer: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} placed`, body: `${d.restaurantName} has your order (${money(d.total, "en")}). We will tell you when they accept it.` }),
      es: (d) => ({ title: `Pedido ${shortRef(d.orderId)} realizado`, body: `${d.restaurantName} ha recibido tu pedido (${money(d.total, "es")}). Te avisaremos cuando lo acepte.` }),
    },
    restaurant: {
      en: (d) => ({ title: `New order ${shortRef(d.orderId)}`, body: itemList(d) }),
      es: (d) => ({ title: `Nuevo pedido ${shortRef(d.orderId)}`, body: itemList(d) }),
    },
  },
  "orders.v1.accepted": {
    customer: {
      en: (d) => ({ title: `${d.restaurantName} accepted your order`, body: `Order ${shortRef(d.orderId)} is confirmed.` }),
      es: (d) => ({ title: `${d.restaurantName} ha aceptado tu pedido`, body: `El pedido ${shortRef(d.orderId)} está confirmado.` }),
    },
  },
  "orders.v1.preparing": {
    customer: {
      en: (d) => ({ title: "Your order is being prepared", body: `${d.restaurantName} is cooking order ${shortRef(d.orderId)}.` }),
      es: (d) => ({ title: "Tu pedido se está preparando", body: `${d.restaurantName} está cocinando el pedido ${shortRef(d.orderId)}.` }),
    },
  },
  "orders.v1.ready": {
    courier: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} is ready`, body: `Pick it up at ${d.restaurantName}.` }),
      es: (d) => ({ title: `El pedido ${shortRef(d.orderId)} está listo`, body: `Recógelo en ${d.restaurantName}.` }),
    },
  },
  "orders.v1.courier-offered": {
    courier: {
      en: (d) => ({ title: "New delivery for you", body: `${d.restaurantName}, order ${shortRef(d.orderId)}. Accept it in the app.` }),
      es: (d) => ({ title: "Nuevo reparto para ti", body: `${d.restaurantName}, pedido ${shortRef(d.orderId)}. Acéptalo en la app.` }),
    },
  },
  "orders.v1.courier-assigned": {
    customer: {
      en: (d) => ({ title: "A courier has your order", body: `They are heading to ${d.restaurantName}.` }),
      es: (d) => ({ title: "Un repartidor lleva tu pedido", body: `Va de camino a ${d.restaurantName}.` }),
    },
  },
  "orders.v1.picked-up": {
    customer: {
      critical: true,
      en: (d) => ({ title: "Your order is on its way", body: `The courier has left ${d.restaurantName} with order ${shortRef(d.orderId)}.` }),
      es: (d) => ({ title: "Tu pedido va de camino", body: `El repartidor ha salido de ${d.restaurantName} con el pedido ${shortRef(d.orderId)}.` }),
    },
  },
  "orders.v1.delivered": {
    customer: {
      en: (d) => ({ title: "Delivered. Enjoy your meal!", body: `Order ${shortRef(d.orderId)} from ${d.restaurantName} has arrived.` }),
      es: (d) => ({ title: "Entregado. ¡Que aproveche!", body: `Ha llegado el pedido ${shortRef(d.orderId)} de ${d.restaurantName}.` }),
    },
  },
  "orders.v1.rejected": {
    customer: {
      critical: true,
      en: (d) => ({ title: `${d.restaurantName} could not take your order`, body: `Order ${shortRef(d.orderId)} was declined.${because(d, "Reason")} You have not been charged.` }),
      es: (d) => ({ title: `${d.restaurantName} no ha podido aceptar tu pedido`, body: `El pedido ${shortRef(d.orderId)} ha sido rechazado.${because(d, "Motivo")} No se te ha cobrado.` }),
    },
  },
  "orders.v1.cancelled": {
    customer: {
      en: (d) => ({ title: `Order ${shortRef(d.orderId)} cancelled`, body: `Any payment will be returned to you.${because(d, "Reason")}` }),
      es: (d) => ({ title: `Pedido ${shortRef(d.orderId)} cancelado`, body: `Te devolveremos cualquier pago.${because(d, "Motivo")}` }),
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
  "orders.v1.payment-failed": {
    customer: {
      critical: true,
      en: (d) => ({ title: "Your payment did not go through", body: `Order ${shortRef(d.orderId)} at ${d.restaurantName} was not placed. Try another card.` }),
      es: (d) => ({ title: "Tu pago no se ha completado", body: `El pedido ${shortRef(d.orderId)} en ${d.restaurantName} no se ha realizado. Prueba con otra tarjeta.` }),
    },
  },
};

/** The message `type` gives `audience`, in `locale`; undefined when they are not told. */
export function renderOrderMessage(type: string, audience: Audience, locale: Locale, details: OrderDetails): Rendered | undefined {
  const template = TEMPLATES[type]?.[audience];
  if (!template) return undefined;
  // An order in progress cannot wait until morning; a refund on its way can.
  return { ...template[locale](details), critical: template.critical ?? false, urgent: template.urgent ?? true };
}

/** Who hears about an event of `type` (nobody: an empty list). */
export function audienceOf(type: string): Audience[] {
  return Object.keys(TEMPLATES[type] ?? {}) as Audience[];
}
