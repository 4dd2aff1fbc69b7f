// What the operator functions (api/ops/*) answer: shared by api/, which produces these shapes,
// and the SPA's /ops page, which shows them. Types only.

export type FoundPurchase = {
  id: string;
  sessionId: string;
  paymentIntentId: string | null;
  status: string;
  access: boolean;
  /** Paid but of an unknown type (api/_lib/fulfillment/resolve-purchase-type.ts): the reason names the fix. */
  unfulfilledReason: string | null;
  email: string | null;
  productId: string | null;
  title: string;
  kind: string | null;
  amount: number | null;
  currency: string | null;
  createdAt: number | string;
  receipt: { status: string; to: string | null; error: string | null; sentAt: number | string | null } | null;
};

export type FindResult = {
  email: string;
  user: { id: string; email: string; plan: string | null; stripeCustomerId: string | null } | null;
  purchases: FoundPurchase[];
  ledger: { seq: number; amount: number; balance: number; reason: string; ref: string; createdAt: number | string }[];
  balance: number;
  downloads: { purchaseId: string; title: string; available: boolean; file: string | null; reason: string | null }[];
};

export type ResendResult = {
  sessionId: string;
  to: string | null;
  result: 'sent' | 'failed' | 'skipped';
  reason?: string;
};

export type Repair = { sessionId: string; email: string | null; changes: string[] };

export type ReconcileReport = {
  since: string;
  sessionsChecked: number;
  eventsChecked: number;
  repaired: Repair[];
  receiptsResent: ResendResult[];
  /** What could not be checked (a session or an event), to look at or run again. */
  errors: { target: string; error: string }[];
  /** Housekeeping: expired rate-limit slots and webhook-log rows past Stripe's 30 days. */
  pruned: { rateSlots: number; webhookEvents: number; appliedEvents: number };
};

export type WebhookOutcome = 'fulfilled' | 'ignored' | 'no-session' | 'failed' | 'rejected';

export type WebhookEventRow = {
  id: string;
  eventId?: string;
  type: string;
  outcome: WebhookOutcome;
  purchaseStatus?: string;
  source: string;
  durationMs: number;
  error?: string;
  sessionId?: string;
  receivedAt: number | string;
};

export type OpsAction = {
  id: string;
  operator: string;
  action: string;
  target?: string;
  detail?: string;
  ok: boolean;
  createdAt: number | string;
};
