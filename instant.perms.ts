// Permission rules. Instant allows whatever has no rule, so this starts from deny-all and
// opens only what the shop needs; every opening has a test that a stranger is still refused
// (tests/permissions.test.ts). Every write to shop data goes through the api/ functions.
import type { InstantRules } from '@instantdb/core';
import { MAX_RULE_TOKENS } from './contracts/purchase-tokens.ts';

// The buyer's tokens ride in ruleParams. Checked before anything else, cheapest first: a list
// (missing, a string or a map hides the field rather than failing the query), at most
// MAX_RULE_TOKENS long (each evaluation walks it, on every commit for a live query), of strings.
const TOKENS_OK = `type(ruleParams.tokens) == list && size(ruleParams.tokens) <= ${MAX_RULE_TOKENS} && ruleParams.tokens.all(t, type(t) == string)`;

// The credits ledger's history, lots and claims: their owner reads them, nobody writes them.
const OWN_LEDGER = {
  view: 'auth.id != null && auth.id == data.userId',
  create: 'false',
  update: 'false',
  delete: 'false',
};

const rules = {
  $default: { allow: { $default: 'false' } },
  // No client may invent attributes: the schema is pushed, never grown from a browser.
  attrs: { allow: { create: 'false' } },
  // Sign-in creates users (Instant evaluates `create` during sign-up); a user sees only itself.
  $users: { allow: { view: 'auth.id == data.id', create: 'true', update: 'false', delete: 'false' } },
  wallpapers: {
    allow: { view: 'true', create: 'false', update: 'false', delete: 'false' },
    fields: {
      // A paid purchase of this wallpaper carries one of the buyer's tokens as `unlockToken`.
      // Refunds and disputes clear it, and the field disappears, live.
      fullResUrl: `${TOKENS_OK} && data.ref('purchases.unlockToken').exists(u, u in ruleParams.tokens)`,
    },
  },
  purchases: {
    // The buyer's own: by signed-in email (recovery), or by holding the purchase's token.
    bind: [
      'isOwnerByEmail',
      'auth.email != null && auth.email == data.email',
      'holdsToken',
      `${TOKENS_OK} && data.token in ruleParams.tokens`,
    ],
    allow: { view: 'isOwnerByEmail || holdsToken', create: 'false', update: 'false', delete: 'false' },
  },
  // A user's own ledger (history, lots, claims) and haikus; all written by api/ functions with the admin SDK.
  ledgerEntries: { allow: OWN_LEDGER },
  creditLots: { allow: OWN_LEDGER },
  creditClaims: { allow: OWN_LEDGER },
  haikus: {
    bind: ['isAuthor', "auth.id != null && auth.id in data.ref('author.id')"],
    allow: { view: 'isAuthor', create: 'false', update: 'false', delete: 'isAuthor' },
  },
  // Operator data: nobody but the admin SDK (api/ops/*, `npm run ops`) reads or writes it.
  webhookEvents: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
  opsActions: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
  receiptResends: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
  recoveryClaims: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
  appliedEvents: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
  reconcileRuns: { allow: { view: 'false', create: 'false', update: 'false', delete: 'false' } },
} satisfies InstantRules;

export default rules;
