/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket
 * keys (`line_items[0][price_data][product_data][name]=T-shirt`, `expand[]=customer`).
 * The SDK sends indexed arrays (`expand[0]`); curl users send `expand[]`. Both parse.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Splits `a[b][0][]` into `['a', 'b', '0', '']`. */
export function splitKey(key: string): string[] {
  const first = key.indexOf('[');
  if (first === -1) return [key];
  const parts = [key.slice(0, first)];
  // Each `[…]` group in turn; text between groups is ignored, an unclosed `[` ends the key.
  for (let open = first; open !== -1; open = key.indexOf('[', open)) {
    const close = key.indexOf(']', open + 1);
    if (close === -1) break;
    parts.push(key.slice(open + 1, close));
    open = close + 1;
  }
  return parts;
}

function setPath(root: FormObject, parts: string[], value: string): void {
  let node: FormObject = root;
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    let part = parts[i];
    // `[]` appends: pick the next free index in this (still object-shaped) node.
    if (part === '') part = String(Object.keys(node).length);
    if (last) {
      node[part] = value;
      return;
    }
    const existing = node[part];
    if (existing === undefined || typeof existing === 'string') {
      const child: FormObject = {};
      node[part] = child;
      node = child;
    } else {
      node = existing as FormObject;
    }
  }
}

function isDigits(k: string): boolean {
  if (k.length === 0) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Objects whose keys are all digits become arrays (in numeric order), except metadata (user keys). */
function arrayify(value: FormValue, key: string | null): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  // The tree is fresh from setPath, so it is converted in place.
  const keys = Object.keys(value);
  let allDigits = keys.length > 0;
  for (const k of keys) {
    value[k] = arrayify(value[k], k);
    if (allDigits && !isDigits(k)) allDigits = false;
  }
  if (key === 'metadata' || !allDigits) return value;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => value[String(i)]);
}

/** `+` is a space in form encoding; decodeURIComponent alone would keep it. */
function decodeComponent(text: string): string {
  return decodeURIComponent(text.includes('+') ? text.replaceAll('+', ' ') : text);
}

/**
 * Key, value, key, value…, decoded as URLSearchParams does; split by hand, which is cheaper.
 * Malformed percent-escapes (which decodeURIComponent rejects) go to URLSearchParams itself.
 */
function formPairs(body: string): string[] {
  const out: string[] = [];
  try {
    for (const part of body.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      out.push(
        decodeComponent(eq === -1 ? part : part.slice(0, eq)),
        eq === -1 ? '' : decodeComponent(part.slice(eq + 1)),
      );
    }
    return out;
  } catch {
    return [...new URLSearchParams(body)].flat();
  }
}

/** Parses a query string or form body into nested objects and arrays. */
export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  if (!body) return root;
  const pairs = formPairs(body);
  for (let i = 0; i < pairs.length; i += 2) setPath(root, splitKey(pairs[i]), pairs[i + 1]);
  return arrayify(root, null) as FormObject;
}

/** The inverse, for the CLI and tests: Stripe's indexed bracket format. */
export function encodeForm(data: Record<string, unknown>): string {
  const pairs: string[] = [];
  const walk = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value ?? ''))}`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${key}[${i}]`, v));
    } else {
      for (const [k, v] of Object.entries(value)) walk(`${key}[${k}]`, v);
    }
  };
  for (const [k, v] of Object.entries(data)) walk(k, v);
  return pairs.join('&');
}
