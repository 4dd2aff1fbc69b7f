// Permission rules. Instant allows whatever has no rule, so this starts from deny-all and
// opens only what the shop needs; every opening has a test that a stranger is still refused.
import type { InstantRules } from '@instantdb/core';

const rules = {
  $default: { allow: { $default: 'false' } },
  // No client may invent attributes: the schema is pushed, never grown from a browser.
  attrs: { allow: { create: 'false' } },
  // Sign-in creates users (Instant evaluates `create` during sign-up); a user sees only itself.
  $users: { allow: { view: 'auth.id == data.id', create: 'true', update: 'false', delete: 'false' } },
} satisfies InstantRules;

export default rules;
