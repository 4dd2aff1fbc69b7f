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
  pruned: { rateSlots: number; webhookEvents: number; appliedEvents: number; recoveryClaims: number };
  /** The stored drift report of this run (`reconcileRuns`), and what it found. */
  runId: string;
  findings: DriftRun['findings'];
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

// ---- Overview (issue 18): GET-free, POST /api/ops/overview like every operator call ----

/** Input of `overview`: a range in the operator's time zone (IANA name, e.g. `Europe/Paris`). */
export type OverviewInput = {
  range: 'today' | '7d' | '30d' | 'custom';
  /** Only with `custom`: first and last day, inclusive, `YYYY-MM-DD` in `timeZone`. */
  from?: string;
  to?: string;
  timeZone: string;
};

export type PurchaseKind = 'wallpapers' | 'download' | 'credits' | 'plan' | 'unknown';

/** Minor units (cents) of one currency; amounts of different currencies are never added. */
export type RevenueFigures = { gross: number; refunded: number; disputed: number; net: number };

export type CurrencyRevenue = RevenueFigures & {
  currency: string;
  /** One row per day of the range (every day present, zeros included), oldest first. */
  perDay: ({ day: string } & RevenueFigures)[];
  byKind: ({ kind: PurchaseKind; count: number } & RevenueFigures)[];
  byProduct: ({ productId: string; title: string; kind: PurchaseKind; count: number } & RevenueFigures)[];
};

export type AttentionKind = 'unfulfilled' | 'failed-receipts' | 'stale-pending' | 'open-disputes';

export type AttentionCount = {
  kind: AttentionKind;
  count: number;
  /** The /ops page that lists them (e.g. `/ops/attention/unfulfilled`). */
  href: string;
  /** For `unfulfilled`: how many per reason. */
  reasons?: { reason: string; count: number }[];
};

export type WebhookHealth = {
  /** The webhook log is kept 30 days: a range that starts earlier is covered only from here. */
  coveredFrom: string;
  partial: boolean;
  deliveries: number;
  failures: number;
  medianMs: number | null;
  p95Ms: number | null;
  lastDeliveryAt: string | null;
  /** One row per hour of the covered range (`YYYY-MM-DDTHH` in the time zone), oldest first. */
  perHour: { hour: string; deliveries: number; failures: number }[];
};

export type DriftFindingKind =
  'missed-event' | 'stale-status' | 'missing-receipt' | 'ledger-entry-added' | 'derived-fields' | 'other';

export type DriftRun = {
  id: string;
  /** `operator:<email>`, `cron`, `cli:<user>` */
  trigger: string;
  since: string;
  startedAt: string;
  finishedAt: string;
  sessionsChecked: number;
  eventsChecked: number;
  /** The first findings (the overview shows a few; the run stores up to 500). */
  findings: { kind: DriftFindingKind; sessionId?: string; email?: string; detail: string }[];
  /** How many there were in all. */
  findingsCount: number;
  errors: number;
};

export type OverviewResult = {
  range: { from: string; to: string; timeZone: string; days: string[] };
  revenue: CurrencyRevenue[];
  purchasesByStatus: { status: string; count: number }[];
  credits: { sold: number; spent: number; clawedBack: number; outstanding: number };
  webhooks: WebhookHealth;
  attention: AttentionCount[];
  reconcileRuns: DriftRun[];
  /** True when the range held more rows than one overview reads; figures then cover `rowsRead`. */
  truncated: boolean;
  rowsRead: number;
};

/** Input of `attention`: one page of the purchases behind an attention count. */
export type AttentionInput = { kind: AttentionKind; cursor?: string; limit?: number };
export type AttentionPage = { kind: AttentionKind; rows: FoundPurchase[]; nextCursor: string | null };

/** Input of `export`: answered as CSV (text/csv, streamed), not JSON. */
export type ExportInput = { what: 'purchases' | 'ledger' | 'webhooks'; from: string; to: string; timeZone: string };
