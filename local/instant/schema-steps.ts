// The schema as instant-cli pulls it and the migration steps it pushes (upstream
// model/schema.clj: attrs->schema, apply-plan-with-deletes!). The app's schema stays a SchemaJson
// (what App.reload takes); the steps are applied to its attributes and the result turned back.
import { attrsFromSchema, type Attr, type SchemaJson } from './attrs.ts';
import { validationError } from './errors.ts';
import { isSystemIdent, shownSystemAttr, SYSTEM_ATTRS } from './system-catalog.ts';

/** The steps that must check stored data first (upstream's indexing jobs). */
export const JOB_TYPES = [
  'index',
  'remove-index',
  'unique',
  'remove-unique',
  'required',
  'remove-required',
  'check-data-type',
  'remove-data-type',
] as const;
export type JobType = (typeof JOB_TYPES)[number];
export type JobStep = { type: JobType; attr: Attr; checkedDataType?: string | null };

const fwdName = (a: Attr) => `${a['forward-identity'][1]}.${a['forward-identity'][2]}`;

/** The app's user attributes as they follow from its schema (system names are the catalog's). */
export function userAttrs(appId: string, schema: SchemaJson | undefined): Attr[] {
  return attrsFromSchema(appId, schema)
    .filter((a) => !isSystemIdent(a['forward-identity'][1], a['forward-identity'][2]))
    .map((a) => ({ ...a, catalog: 'user' as const }));
}

/** The body of GET /dash/apps/:id/schema/pull. */
export function schemaPull(appId: string, title: string, schema: SchemaJson | undefined) {
  const attrs = [...SYSTEM_ATTRS, ...userAttrs(appId, schema)];
  const blobs: Record<string, Record<string, Attr>> = {};
  const refs: Record<string, Attr> = {};
  for (const raw of attrs) {
    const a = raw.catalog === 'system' ? shownSystemAttr(raw) : raw;
    if (!a) continue;
    const [, etype, label] = a['forward-identity'];
    if (a['value-type'] === 'blob') (blobs[etype] ??= {})[label] = a;
    else {
      const r = a['reverse-identity']!;
      refs[`["${etype}" "${label}" "${r[1]}" "${r[2]}"]`] = a;
    }
  }
  return { schema: { refs, blobs }, attrs, 'app-title': title };
}

type Step = [string, Record<string, unknown> | string];

/**
 * Applies pushed steps to the app's attributes. Attribute changes (add, update, delete) take
 * effect together; constraint steps come back as jobs for the caller to check against the data.
 */
export function applySteps(appId: string, schema: SchemaJson | undefined, rawSteps: unknown) {
  if (!Array.isArray(rawSteps))
    throw validationError('steps', rawSteps, ['`steps` must be a list of [action, attr] pairs']);
  const attrs = new Map(userAttrs(appId, schema).map((a) => [a.id, a]));
  const jobs: JobStep[] = [];
  const deleted: Attr[] = [];
  const find = (id: unknown, step: unknown) => {
    const a = typeof id === 'string' ? attrs.get(id) : undefined;
    if (!a) throw validationError('steps', step, [`Attribute ${String(id)} not found: pull the schema and plan again`]);
    return a;
  };
  for (const step of rawSteps as Step[]) {
    if (!Array.isArray(step) || typeof step[0] !== 'string') throw validationError('steps', step, ['Malformed step']);
    const [action, arg] = step;
    const body = (typeof arg === 'object' && arg) || {};
    if (action === 'add-attr') {
      const a = body as unknown as Attr;
      if (typeof a.id !== 'string' || !Array.isArray(a['forward-identity']))
        throw validationError('steps', step, ['Malformed attr']);
      const [, etype, label] = a['forward-identity'];
      if ([...attrs.values()].some((x) => fwdName(x) === `${etype}.${label}`) || isSystemIdent(etype, label)) {
        throw validationError('schema', step, [`${etype}->${label}: Duplicate entry found for attribute.`]);
      }
      if (a['value-type'] === 'ref' && a.cardinality === 'many' && a['on-delete'] === 'cascade') {
        throw validationError('schema', step, [
          `${etype}->${label}: Cascade delete is only possible on links with \`has: 'one'\`.`,
        ]);
      }
      attrs.set(a.id, { ...a, catalog: 'user' });
    } else if (action === 'update-attr') {
      const a = find(body.id, step);
      const fwd = body['forward-identity'] as Attr['forward-identity'] | undefined;
      const rev = body['reverse-identity'] as Attr['reverse-identity'] | undefined;
      const renamed =
        (fwd && fwdName({ 'forward-identity': fwd } as Attr) !== fwdName(a)) ||
        (rev &&
          a['reverse-identity'] &&
          `${rev[1]}.${rev[2]}` !== `${a['reverse-identity'][1]}.${a['reverse-identity'][2]}`);
      if (renamed) {
        throw validationError('steps', step, [
          `instant-local does not rename attributes (${fwdName(a)}): push without --rename (a delete and an add)`,
        ]);
      }
      for (const k of ['cardinality', 'on-delete', 'on-delete-reverse'] as const)
        if (body[k] !== undefined) (a as Record<string, unknown>)[k] = body[k];
    } else if (action === 'delete-attr') {
      const a = find(arg, step);
      attrs.delete(a.id);
      deleted.push(a);
    } else if ((JOB_TYPES as readonly string[]).includes(action)) {
      jobs.push({
        type: action as JobType,
        attr: find(body['attr-id'], step),
        checkedDataType: (body['checked-data-type'] as string) ?? null,
      });
    } else {
      throw validationError('steps', step, [`Unknown step ${action}`]);
    }
  }
  return { attrs: [...attrs.values()], jobs, deleted };
}

/** The flag each index, unique and required job sets on its attribute, and to what. */
const JOB_FLAGS: Record<
  Exclude<JobType, 'check-data-type' | 'remove-data-type'>,
  ['index?' | 'unique?' | 'required?', boolean]
> = {
  index: ['index?', true],
  'remove-index': ['index?', false],
  unique: ['unique?', true],
  'remove-unique': ['unique?', false],
  required: ['required?', true],
  'remove-required': ['required?', false],
};

/** Sets a job's constraint on its attribute (once the data allows it). */
export function applyJob(job: JobStep) {
  if (job.type === 'check-data-type') job.attr['checked-data-type'] = job.checkedDataType as Attr['checked-data-type'];
  else if (job.type === 'remove-data-type') job.attr['checked-data-type'] = null;
  else {
    const [flag, on] = JOB_FLAGS[job.type];
    job.attr[flag] = on;
  }
}

/** The SchemaJson that App.reload takes, from user attributes (system ones come with every app). */
export function attrsToSchema(attrs: Attr[]): SchemaJson {
  const schema: SchemaJson = { entities: {}, links: {} };
  for (const a of attrs) {
    const [, etype, label] = a['forward-identity'];
    if (a['value-type'] === 'ref') {
      const [, re, rl] = a['reverse-identity']!;
      schema.entities[etype] ??= { attrs: {} };
      schema.entities[re] ??= { attrs: {} };
      schema.links[`${etype}${label[0]?.toUpperCase() ?? ''}${label.slice(1)}`] = {
        forward: {
          on: etype,
          has: a.cardinality === 'one' ? 'one' : 'many',
          label,
          ...(a['on-delete'] === 'cascade' ? { onDelete: 'cascade' } : {}),
        },
        reverse: {
          on: re,
          has: a['unique?'] ? 'one' : 'many',
          label: rl,
          ...(a['on-delete-reverse'] === 'cascade' ? { onDelete: 'cascade' } : {}),
        },
      };
      continue;
    }
    const ent = (schema.entities[etype] ??= { attrs: {} });
    if (label === 'id') continue;
    ent.attrs[label] = {
      valueType: a['checked-data-type'] ?? 'any',
      required: Boolean(a['required?']),
      config: { unique: Boolean(a['unique?']), indexed: Boolean(a['index?']) },
    };
  }
  return schema;
}
