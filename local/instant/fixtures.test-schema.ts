// A small schema and rule set that exercise what the shop relies on.
import { i } from '@instantdb/core';

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
    purchaseItems: {
      forward: { on: 'purchases', has: 'many', label: 'items' },
      reverse: { on: 'items', has: 'many', label: 'purchases' },
    },
    noteAuthor: {
      forward: { on: 'notes', has: 'one', label: 'author', onDelete: 'cascade' },
      reverse: { on: '$users', has: 'many', label: 'notes' },
    },
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
