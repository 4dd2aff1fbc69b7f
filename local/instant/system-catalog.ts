// Instant's system catalog (upstream server/src/instant/system_catalog.clj): the `$` namespaces
// every app has. `/dash/apps/:id/schema/pull` lists all of them in `attrs` (instant-cli learns
// from them which names are the system's and leaves them alone) and shows the visible ones
// (`$users`, `$files`, `$streams`, minus their internal fields) in `schema`.
import { derivedUuid, type Attr } from './attrs.ts';

type Flags = { u?: boolean; i?: boolean; r?: boolean; t?: 'string' | 'number' | 'boolean' };
type Link = {
  rev: [string, string];
  many?: boolean;
  unique?: boolean;
  cascade?: boolean;
  cascadeReverse?: boolean;
  index?: boolean;
};

const ID: Flags = { u: true, i: true };
const S: Flags = { t: 'string' };
const UIS: Flags = { u: true, i: true, t: 'string' };
const IS: Flags = { i: true, t: 'string' };

const BLOBS: Record<string, Record<string, Flags>> = {
  $users: { id: ID, email: UIS, type: S, imageURL: S },
  $magicCodes: { id: ID, codeHash: IS, email: IS },
  $userRefreshTokens: { id: ID, hashedToken: UIS },
  $oauthProviders: { id: ID, name: UIS },
  $oauthUserLinks: { id: ID, sub: IS, 'sub+$oauthProvider': UIS },
  $oauthClients: {
    id: ID,
    name: UIS,
    clientId: { i: true },
    encryptedClientSecret: S,
    discoveryEndpoint: S,
    meta: {},
    redirectTo: S,
    useSharedCredentials: { t: 'boolean' },
  },
  $oauthCodes: { id: ID, codeHash: UIS, codeChallengeMethod: S, codeChallenge: S, userInfo: {} },
  $oauthRedirects: {
    id: ID,
    stateHash: UIS,
    cookieHash: S,
    redirectUrl: S,
    redirectTo: S,
    codeChallengeMethod: S,
    codeChallenge: S,
  },
  $files: {
    id: ID,
    path: { ...UIS, r: true },
    size: { i: true, t: 'number', r: true },
    'content-type': IS,
    'content-disposition': IS,
    'location-id': { ...UIS, r: true },
    'key-version': { t: 'number' },
    url: S,
  },
  $streams: {
    id: ID,
    clientId: { ...UIS, r: true },
    machineId: S,
    done: { t: 'boolean' },
    size: { t: 'number' },
    hashedReconnectToken: S,
    abortReason: S,
  },
};

const LINKS: Record<string, Record<string, Link>> = {
  $users: { linkedPrimaryUser: { rev: ['$users', 'linkedGuestUsers'], cascade: true } },
  $userRefreshTokens: { $user: { rev: ['$users', '$userRefreshTokens'], index: true, cascade: true } },
  $oauthUserLinks: {
    $user: { rev: ['$users', '$oauthUserLinks'], index: true, cascade: true },
    $oauthProvider: { rev: ['$oauthProviders', '$oauthUserLinks'], index: true, cascade: true },
  },
  $oauthClients: { $oauthProvider: { rev: ['$oauthProviders', '$oauthClients'], cascade: true } },
  $oauthCodes: { $oauthClient: { rev: ['$oauthClients', '$oauthCodes'], cascade: true } },
  $oauthRedirects: { $oauthClient: { rev: ['$oauthClients', '$oauthRedirects'], cascade: true } },
  $streams: { $files: { rev: ['$files', '$stream'], many: true, unique: true, cascadeReverse: true } },
};

// What upstream's attr-model/remove-hidden keeps out of `schema` (they stay in `attrs`).
const SHOWN = new Set(['$users', '$files', '$streams']);
const HIDDEN = new Set([
  '$files.content-type',
  '$files.content-disposition',
  '$files.size',
  '$files.location-id',
  '$files.key-version',
  '$streams.machineId',
  '$streams.hashedReconnectToken',
]);

// Upstream ids encode the names; ours are derived from them the same way for every app.
const sysId = (...parts: string[]) => derivedUuid('system-catalog', ...parts);

function blob(etype: string, label: string, f: Flags): Attr {
  return {
    id: sysId('attr', etype, label),
    'forward-identity': [sysId('ident', etype, label), etype, label],
    'value-type': 'blob',
    cardinality: 'one',
    'unique?': Boolean(f.u),
    'index?': Boolean(f.i),
    'required?': Boolean(f.r),
    'inferred-types': null,
    catalog: 'system',
    'checked-data-type': f.t ?? null,
  };
}

function ref(etype: string, label: string, l: Link): Attr {
  return {
    id: sysId('attr', etype, label),
    'forward-identity': [sysId('ident', etype, label), etype, label],
    'reverse-identity': [sysId('ident', ...l.rev), ...l.rev],
    'value-type': 'ref',
    cardinality: l.many ? 'many' : 'one',
    'unique?': Boolean(l.unique),
    'index?': Boolean(l.index),
    'required?': false,
    'inferred-types': null,
    catalog: 'system',
    'on-delete': l.cascade ? 'cascade' : null,
    'on-delete-reverse': l.cascadeReverse ? 'cascade' : null,
  };
}

export const SYSTEM_ATTRS: readonly Attr[] = [
  ...Object.entries(BLOBS).flatMap(([etype, labels]) =>
    Object.entries(labels).map(([label, f]) => blob(etype, label, f)),
  ),
  ...Object.entries(LINKS).flatMap(([etype, labels]) =>
    Object.entries(labels).map(([label, l]) => ref(etype, label, l)),
  ),
];

const SYSTEM_IDENTS = new Set(
  SYSTEM_ATTRS.flatMap((a) =>
    [a['forward-identity'], a['reverse-identity']].filter((x) => x).map((x) => `${x![1]}.${x![2]}`),
  ),
);

/** Whether `etype.label` is a name the system catalog owns (either end of a system link counts). */
export function isSystemIdent(etype: string, label: string): boolean {
  return SYSTEM_IDENTS.has(`${etype}.${label}`);
}

/** Whether schema/pull shows a system attr in `schema` (upstream shows `$files.url` as required). */
export function shownSystemAttr(a: Attr): Attr | null {
  const [, etype, label] = a['forward-identity'];
  if (!SHOWN.has(etype) || HIDDEN.has(`${etype}.${label}`)) return null;
  return etype === '$files' && label === 'url' ? { ...a, 'required?': true } : a;
}
