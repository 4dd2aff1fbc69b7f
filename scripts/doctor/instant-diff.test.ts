import { describe, expect, it } from 'vitest';
import { diffRules, diffSchema, type SchemaFile, type ServerAttr } from './instant-diff.ts';

const file: SchemaFile = {
  entities: {
    $users: { attrs: { email: { valueType: 'string', required: false, config: { unique: true, indexed: true } } } },
    notes: {
      attrs: {
        title: { valueType: 'string', required: true, config: { unique: false, indexed: true } },
        body: { valueType: 'json', required: false },
      },
    },
  },
  links: {
    noteOwner: {
      forward: { on: 'notes', has: 'one', label: 'owner', onDelete: 'cascade' },
      reverse: { on: '$users', has: 'many', label: 'notes' },
    },
  },
};

const blob = (etype: string, label: string, extra: Partial<ServerAttr> = {}): ServerAttr => ({
  'forward-identity': ['f', etype, label],
  'value-type': 'blob',
  cardinality: 'one',
  'unique?': false,
  'index?': false,
  catalog: 'user',
  ...extra,
});

const server = (): ServerAttr[] => [
  blob('$users', 'id', { catalog: 'system', 'unique?': true, 'index?': true }),
  blob('$users', 'email', { catalog: 'system', 'unique?': true, 'index?': true, 'checked-data-type': 'string' }),
  blob('notes', 'id', { 'unique?': true, 'index?': true }),
  blob('notes', 'title', { 'index?': true, 'required?': true, 'checked-data-type': 'string' }),
  blob('notes', 'body', { 'required?': false }),
  {
    'forward-identity': ['l', 'notes', 'owner'],
    'reverse-identity': ['r', '$users', 'notes'],
    'value-type': 'ref',
    cardinality: 'one',
    'unique?': false,
    'on-delete': 'cascade',
    catalog: 'user',
  },
];

describe('diffSchema', () => {
  it('finds no difference between a file and the attributes a push of it makes, in any order', () => {
    expect(diffSchema(file, server())).toEqual([]);
    expect(diffSchema(file, server().reverse())).toEqual([]);
  });

  it('names each attribute that is missing, changed or extra, and a changed link', () => {
    const attrs = server().filter((a) => a['forward-identity'][2] !== 'body');
    attrs.find((a) => a['forward-identity'][2] === 'title')!['unique?'] = true;
    attrs.push(blob('notes', 'stray'));
    attrs.find((a) => a['value-type'] === 'ref')!.cardinality = 'many';
    expect(diffSchema(file, attrs)).toEqual([
      'notes.title is string unique indexed required on the server, string indexed required in the file',
      'notes.body is missing on the server',
      'link notes.owner (many) → $users.notes (many) on-delete cascade on the server, notes.owner (one) → $users.notes (many) on-delete cascade in the file',
      'notes.stray is on the server but not in the file',
    ]);
  });

  it('tells on-delete from on-delete-reverse', () => {
    const swapped = server().map((a) =>
      a['value-type'] === 'ref' ? { ...a, 'on-delete': null, 'on-delete-reverse': 'cascade' } : a,
    );
    expect(diffSchema(file, swapped)).toEqual([
      'link notes.owner (one) → $users.notes (many) on-delete-reverse cascade on the server, notes.owner (one) → $users.notes (many) on-delete cascade in the file',
    ]);
  });

  it('reports a whole missing namespace once, and a type not checked on the server', () => {
    const noNotes = server().filter((a) => a['forward-identity'][1] !== 'notes' || a['value-type'] === 'ref');
    expect(diffSchema(file, noNotes)).toEqual(['namespace notes is missing on the server']);
    const unchecked = server().map((a) =>
      a['forward-identity'][2] === 'title' ? { ...a, 'checked-data-type': null } : a,
    );
    expect(diffSchema(file, unchecked)).toEqual([
      'notes.title is any indexed required on the server, string indexed required in the file',
    ]);
  });
});

describe('diffRules', () => {
  const rules = {
    notes: {
      allow: { view: 'auth.id != null && auth.id in data.ref("owner.id")', create: 'false' },
      bind: ['isOwner', 'true'],
    },
  };

  it('ignores whitespace and key order; an empty bind is no bind', () => {
    const same = {
      notes: {
        bind: ['isOwner', 'true'],
        allow: { create: 'false', view: 'auth.id != null\n  && auth.id in data.ref("owner.id")' },
      },
    };
    expect(diffRules(rules, same)).toEqual([]);
    expect(diffRules({ a: { allow: { view: 'true' }, bind: [] } }, { a: { allow: { view: 'true' } } })).toEqual([]);
  });

  it('names each rule that differs, and a server with no rules', () => {
    expect(
      diffRules(rules, {
        notes: { allow: { view: 'true', create: 'false' }, bind: ['isOwner', 'false'] },
        extra: { allow: {} },
      }),
    ).toEqual([
      'extra: on the server, not in the file',
      'notes.allow.view: "true" on the server, "auth.id != null && auth.id in data.ref(\\"owner.id\\")" in the file',
      'notes.bind differs',
    ]);
    expect(diffRules(rules, null)).toEqual(['the server has no rules at all (everything is allowed)']);
  });
});
