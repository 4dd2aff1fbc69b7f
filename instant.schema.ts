// The shop's data model, pushed to a real Instant server with `npx instant-cli push schema`
// and loaded by the local Instant server under `npm run dev` and in tests.
import { i } from '@instantdb/core';

const _schema = i.schema({
  entities: {
    $users: i.entity({
      email: i.string().unique().indexed().optional(),
      // The user's Stripe customer (made once, on the first credits or plan checkout).
      stripeCustomerId: i.string().unique().indexed().optional(),
      // The highest plan bought (one-time purchase); reverted by a refund or a lost dispute.
      plan: i.string().optional(),
    }),
    wallpapers: i.entity({
      slug: i.string().unique().indexed(),
      name: i.string(),
      description: i.string(),
      thumbnailUrl: i.string(),
      // Revealed only to holders of a token of a paid purchase of this wallpaper (instant.perms.ts).
      fullResUrl: i.string(),
      order: i.number().indexed(),
    }),
    // One per Stripe Checkout Session; its id is derived from the session id, so it can only
    // ever be recorded once however many times the webhook and the success page race.
    purchases: i.entity({
      sessionId: i.string().unique().indexed(),
      // Not unique: a token reused across checkouts just unlocks both (a paid session is never refused).
      token: i.string().indexed(),
      // Equals `token` while the purchase grants access (paid); absent otherwise.
      unlockToken: i.string().indexed().optional(),
      email: i.string().indexed().optional(),
      status: i.string().indexed(),
      productId: i.string().optional(),
      purchaseType: i.string().optional(),
      amount: i.number().optional(),
      currency: i.string().optional(),
      paymentIntentId: i.string().indexed().optional(),
      unfulfilledReason: i.string().indexed().optional(),
      // Derived at fulfilment from the same Stripe read as the status (fulfillment/derived-fields.ts)
      // for the operator overview; absent on purchases written before them until reconcile backfills.
      refundedAmount: i.number().indexed().optional(),
      disputedAmount: i.number().optional(),
      openDisputes: i.number().indexed().optional(),
      // async-payment | open-checkout, only while pending
      pendingKind: i.string().indexed().optional(),
      createdAt: i.date().indexed(),
      updatedAt: i.date(),
    }),
    // The receipt of a purchase; created once (create-only, id derived from the session).
    receipts: i.entity({
      sessionId: i.string().unique().indexed(),
      to: i.string().optional(),
      status: i.string().indexed(),
      error: i.string().optional(),
      sentAt: i.date().optional(),
      createdAt: i.date().indexed(),
      // Who created the claim (one send's own id): after a lost answer, reading it back says whether that send won.
      claimedBy: i.string().optional(),
    }),
    // The credits ledger's history: one entry per grant, spend and clawback, with a signed
    // `amount` (what a user reads on /credits and operators count). `ref` (unique) names what
    // caused the entry (a Stripe session, a refund, a use), so each cause is applied once. The
    // balance is not stored here: it is what the user's credit lots hold (below), written in the
    // same transaction as the entry, so the amounts always add up to it.
    // Entries written before the lots (legacy) also carry `slot` `<userId>:<seq>`, `seq` and the
    // running `balance`; `npm run migrate:ledger` turns each legacy balance into an opening lot.
    ledgerEntries: i.entity({
      ref: i.string().unique().indexed(),
      userId: i.string().indexed(),
      amount: i.number(),
      reason: i.string(),
      sessionId: i.string().indexed().optional(),
      // A clawback larger than the balance takes what is there (never below zero); the rest is recorded here.
      shortfall: i.number().optional(),
      createdAt: i.date().indexed(),
      slot: i.string().unique().indexed().optional(),
      seq: i.number().indexed().optional(),
      balance: i.number().optional(),
    }),
    // What a user holds: a grant of N credits is a lot of N units, unit k claimed by creating the
    // claim `<lotId>:<k>` (unique). A spend claims one free unit picked at random, so concurrent
    // spenders mostly claim different units and win at once (a loser re-reads and picks again);
    // a clawback claims up to its amount. Balance = sum over open lots of size minus claims.
    // `open` turns false (for good) with the claim that fills the lot, or the next claim that sees
    // it full, so a user's balance is read from their open lots only, however long their history
    // (contracts/credits.ts; the history's running balance is derived from it). `opening:<userId>`
    // is a legacy ledger's balance, linked to the legacy entry that carried it (`openedFrom`).
    creditLots: i.entity({
      ref: i.string().indexed(),
      userId: i.string().indexed(),
      size: i.number(),
      open: i.boolean().indexed(),
      sessionId: i.string().indexed().optional(),
      createdAt: i.date().indexed(),
    }),
    // One claimed unit of a lot: `unit` (unique) is `<lotId>:<k>`; never changed. `by` is
    // the ref of the ledger entry written with it (the claim's owner).
    creditClaims: i.entity({
      unit: i.string().unique().indexed(),
      userId: i.string().indexed(),
      by: i.string().indexed(),
      createdAt: i.date(),
    }),
    haikus: i.entity({
      topic: i.string(),
      content: i.string(),
      createdAt: i.date().indexed(),
    }),
    // Rate-limit slots: one unique slot per request in a window; a full window refuses.
    rateSlots: i.entity({
      slot: i.string().unique().indexed(),
      bucket: i.string().indexed(),
      createdAt: i.date().indexed(),
    }),
    // Operators only (api/ops/*, read with the admin SDK; instant.perms.ts hides them from
    // everyone else). One entry per webhook delivery received, and per replay.
    webhookEvents: i.entity({
      eventId: i.string().indexed().optional(),
      type: i.string().indexed(),
      // fulfilled | ignored | no-session | failed | rejected
      outcome: i.string().indexed(),
      purchaseStatus: i.string().optional(),
      source: i.string().indexed(),
      durationMs: i.number(),
      error: i.string().optional(),
      sessionId: i.string().indexed().optional(),
      receivedAt: i.date().indexed(),
    }),
    // The audit trail: who did what to which target, and how it ended.
    opsActions: i.entity({
      operator: i.string().indexed(),
      action: i.string().indexed(),
      target: i.string().indexed().optional(),
      detail: i.string().optional(),
      ok: i.boolean(),
      createdAt: i.date().indexed(),
    }),
    // Claims on re-sending a receipt (reconcile, operators): the unique slot `<sessionId>:<n>`
    // lets exactly one of concurrent re-senders send the n-th copy.
    receiptResends: i.entity({
      slot: i.string().unique().indexed(),
      sessionId: i.string().indexed(),
      by: i.string(),
      outcome: i.string().optional(),
      createdAt: i.date().indexed(),
      finishedAt: i.date().optional(),
    }),
    // One per Stripe event whose effects are all done (process-event.ts): created once, id derived
    // from the event id, so a later delivery of the same event is answered from this record
    // without asking Stripe. Written only after the purchase, entitlements and receipt are done.
    appliedEvents: i.entity({
      eventId: i.string().unique().indexed(),
      type: i.string(),
      sessionId: i.string().optional(),
      purchaseStatus: i.string().optional(),
      appliedAt: i.date().indexed(),
    }),
    // One per recovery link redeemed (recovery-link.ts): created once, id derived from the link's
    // nonce, so a link signs in exactly once however many times it is sent. Operators only.
    // The drift report: one per reconcile run (operator, cron, CLI) with what it found out of step
    // with Stripe and what it repaired (`findings`, JSON). Operators only.
    reconcileRuns: i.entity({
      trigger: i.string().indexed(),
      since: i.date(),
      startedAt: i.date().indexed(),
      finishedAt: i.date(),
      sessionsChecked: i.number(),
      eventsChecked: i.number(),
      findings: i.json(),
      findingsCount: i.number(),
      errors: i.number(),
      // Where this run's backfill of derived fields stopped (`{ at, id }` of the last purchase it
      // took); the next run continues after it, so purchases that fail every run (their session
      // gone from Stripe) never hold newer ones back. Absent: the next run starts at the oldest.
      backfillAfter: i.json().optional(),
    }),
    recoveryClaims: i.entity({
      email: i.string().indexed(),
      expiresAt: i.date(),
      redeemedAt: i.date().indexed(),
    }),
  },
  links: {
    purchaseOwner: {
      forward: { on: 'purchases', has: 'one', label: 'owner' },
      reverse: { on: '$users', has: 'many', label: 'purchases' },
    },
    ledgerOwner: {
      forward: { on: 'ledgerEntries', has: 'one', label: 'owner', onDelete: 'cascade' },
      reverse: { on: '$users', has: 'many', label: 'ledger' },
    },
    lotOwner: {
      forward: { on: 'creditLots', has: 'one', label: 'owner', onDelete: 'cascade' },
      reverse: { on: '$users', has: 'many', label: 'creditLots' },
    },
    lotClaims: {
      forward: { on: 'creditClaims', has: 'one', label: 'lot', onDelete: 'cascade' },
      reverse: { on: 'creditLots', has: 'many', label: 'claims' },
    },
    lotOpening: {
      forward: { on: 'creditLots', has: 'one', label: 'openedFrom' },
      reverse: { on: 'ledgerEntries', has: 'one', label: 'opening' },
    },
    haikuAuthor: {
      forward: { on: 'haikus', has: 'one', label: 'author', onDelete: 'cascade' },
      reverse: { on: '$users', has: 'many', label: 'haikus' },
    },
    purchaseWallpapers: {
      forward: { on: 'purchases', has: 'many', label: 'wallpapers' },
      reverse: { on: 'wallpapers', has: 'many', label: 'purchases' },
    },
  },
});

type _AppSchema = typeof _schema;
// Instant's recommended pattern: an interface keeps editor hovers short.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AppSchema extends _AppSchema {}
const schema: AppSchema = _schema;

export default schema;
