// The shop's data model, pushed to a real Instant server with `npx instant-cli push schema`
// and loaded by the local Instant server under `npm run dev` and in tests.
import { i } from '@instantdb/core';

const _schema = i.schema({
  entities: {
    $users: i.entity({
      email: i.string().unique().indexed().optional(),
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
      unfulfilledReason: i.string().optional(),
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
    }),
    // Rate-limit slots: one unique slot per request in a window; a full window refuses.
    rateSlots: i.entity({
      slot: i.string().unique().indexed(),
      bucket: i.string().indexed(),
      createdAt: i.date().indexed(),
    }),
  },
  links: {
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
