// A small schema and rule set that exercise what the shop relies on, and the link builder the
// test schemas (here and in conformance/) share.
import { i } from '@instantdb/core';

/** An optional string that is unique and indexed: what a lookup (`lookup('email', …)`) needs. */
export const uniqueString = () => i.string().unique().indexed().optional();

type Side = readonly [on: string, has: 'one' | 'many', label: string];
type SideDef<S extends Side> = { on: S[0]; has: S[1]; label: S[2]; onDelete?: 'cascade' };

/** A schema link, each side written [namespace, has, label]; `cascade` puts `onDelete: 'cascade'` on that side. */
export function link<const F extends Side, const R extends Side>(
  forward: F,
  reverse: R,
  cascade?: 'forward' | 'reverse',
): { forward: SideDef<F>; reverse: SideDef<R> } {
  const side = <S extends Side>([on, has, label]: S, which: 'forward' | 'reverse'): SideDef<S> => ({
    on,
    has,
    label,
    ...(cascade === which ? { onDelete: 'cascade' as const } : {}),
  });
  return { forward: side(forward, 'forward'), reverse: side(reverse, 'reverse') };
}

export const testSchema = i.schema({
  entities: {
    $users: i.entity({ email: i.string().unique().indexed().optional(), credits: i.number().optional() }),
    items: i.entity({
      // Indexed: `$like` needs an indexed, typed attribute (as on Instant).
      name: i.string().indexed(),
      secret: i.string().optional(),
      order: i.number().indexed(),
      tags: i.json().optional(),
    }),
    purchases: i.entity({ token: i.string().unique().indexed(), email: i.string().indexed(), status: i.string() }),
    notes: i.entity({ text: i.string() }),
    slots: i.entity({ key: i.string().unique().indexed() }),
  },
  links: {
    purchaseItems: link(['purchases', 'many', 'items'], ['items', 'many', 'purchases']),
    noteAuthor: link(['notes', 'one', 'author'], ['$users', 'many', 'notes'], 'forward'),
  },
});

export const testRules = {
  $default: { allow: { $default: 'false' } },
  attrs: { allow: { create: 'false' } },
  $users: { allow: { view: 'auth.id == data.id', create: 'true', update: 'false', delete: 'false' } },
  items: {
    allow: { view: 'true', create: 'false', update: 'false', delete: 'false' },
    fields: { secret: "ruleParams.token in data.ref('purchases.token')" },
  },
  purchases: {
    allow: { view: 'auth.email == data.email', create: 'false', update: 'false', delete: 'false' },
  },
  notes: {
    bind: ['isAuthor', "auth.id in data.ref('author.id')"],
    allow: {
      view: 'isAuthor',
      create: 'auth.id != null',
      update: 'isAuthor',
      delete: 'isAuthor',
      link: { author: 'auth.id == linkedData.id' },
    },
  },
};
