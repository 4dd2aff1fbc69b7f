// Key-shaped test values, assembled at run time so that nothing committed looks like a real key
// to a secret scanner (or to a reader). `fakeKey('sk_live')` is "sk_live_" plus a marker.
export function fakeKey(
  prefix: 'sk_live' | 'sk_test' | 'pk_live' | 'pk_test' | 'rk_live' | 'whsec' | 're',
  tail = 'notarealkey',
) {
  return [prefix, tail].join('_');
}
