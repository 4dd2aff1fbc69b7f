import type { EventRequest, LocalAccount } from './account.ts';
import type { FormObject } from './form-encoding.ts';

/** What a Stripe API handler sees: parsed params, path params and the request identity. */
export interface ApiContext {
  account: LocalAccount;
  params: FormObject;
  path: Record<string, string>;
  request: EventRequest & { id: string };
  /** Request path without the query, used as a list's `url`. */
  url: string;
}

export type ApiHandler = (ctx: ApiContext) => object;

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: ApiHandler;
}

/** `/v1/checkout/sessions/…` → `checkout`: the literal segment that buckets routes. */
function resourceOf(path: string): string {
  const start = path.indexOf('/', 1) + 1;
  const end = path.indexOf('/', start);
  return end === -1 ? path.slice(start) : path.slice(start, end);
}

/** Method + `/v1/things/:id` style routing; enough for Stripe's REST layout. */
export class Router {
  /** Routes by resource segment, each list in the order added (the first match wins). */
  private routes = new Map<string, Route[]>();

  add(method: string, pattern: string, handler: ApiHandler): this {
    const resource = resourceOf(pattern);
    if (!/^\/[a-z0-9]+\/[a-z_]+(\/|$)/.test(pattern)) {
      throw new Error(`route ${pattern}: the segment after the version must be a literal resource name`);
    }
    const keys: string[] = [];
    const source = pattern.replace(/:([a-z_]+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    let bucket = this.routes.get(resource);
    if (!bucket) this.routes.set(resource, (bucket = []));
    bucket.push({ method, regex: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  get(pattern: string, handler: ApiHandler): this {
    return this.add('GET', pattern, handler);
  }

  post(pattern: string, handler: ApiHandler): this {
    return this.add('POST', pattern, handler);
  }

  delete(pattern: string, handler: ApiHandler): this {
    return this.add('DELETE', pattern, handler);
  }

  /** The handler for a request, or whether the path exists under another method. */
  match(method: string, pathname: string): { handler: ApiHandler; path: Record<string, string> } | 'method' | null {
    let pathMatched = false;
    for (const route of this.routes.get(resourceOf(pathname)) ?? []) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      const path: Record<string, string> = {};
      route.keys.forEach((k, i) => (path[k] = decodeURIComponent(m[i + 1])));
      return { handler: route.handler, path };
    }
    return pathMatched ? 'method' : null;
  }
}
