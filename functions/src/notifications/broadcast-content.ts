/**
 * A broadcast as an outgoing message: a promotion, never urgent, never escalated. Its text is the
 * only free text that reaches a push or an SMS, and only an admin writes it
 * (`notifications-startBroadcast` is admin-only).
 */
import { COLLECTIONS } from "../shared/collections";
import { db } from "../shared/firebase";
import type { Outgoing } from "./delivery.service";

export interface BroadcastText {
  en: { title: string; body: string };
  es: { title: string; body: string };
}

export const broadcastSource = (broadcastId: string) => `broadcast-${broadcastId}`;

export function outgoingOf(broadcastId: string, message: BroadcastText, link: string | null): Outgoing {
  return {
    source: broadcastSource(broadcastId),
    type: "promotion",
    category: "promotions",
    critical: false,
    urgent: false,
    broadcastId,
    render: (locale) => message[locale],
    data: { broadcastId, ...(link ? { link } : {}) },
  };
}

export async function broadcastOutgoing(broadcastId: string): Promise<Outgoing | null> {
  const broadcast = await db().collection(COLLECTIONS.broadcasts).doc(broadcastId).get();
  if (!broadcast.exists) return null;
  return outgoingOf(broadcastId, broadcast.get("message") as BroadcastText, (broadcast.get("link") as string | null) ?? null);
}
