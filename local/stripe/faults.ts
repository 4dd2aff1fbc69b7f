// Fault controls of the Stripe stand-in (off by default): API calls that answer 500 or 429, or
// run and then hang past the client's timeout, extra latency, and webhook deliveries that fail
// or time out. Chosen by local/faults/fault-plan.ts, so a seed gives the same faults every run.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FaultPlan, faultConfigSchema, type FaultConfig } from '../faults/fault-plan.ts';

export const API_FAULTS = ['error_500', 'rate_limit_429', 'hang'] as const;
export const WEBHOOK_FAULTS = ['fail', 'timeout'] as const;
export type ApiFault = (typeof API_FAULTS)[number];
export type WebhookFault = (typeof WEBHOOK_FAULTS)[number];

export interface StripeFaultOptions {
  /** `rules[].path` is a `/v1/…` prefix. */
  api?: FaultConfig<ApiFault>;
  /** `rules[].path` is a prefix of the endpoint URL. */
  webhooks?: FaultConfig<WebhookFault>;
}

export const stripeFaultsBody = z.strictObject({
  api: faultConfigSchema(API_FAULTS).optional(),
  webhooks: faultConfigSchema(WEBHOOK_FAULTS).optional(),
});

export class StripeFaults {
  readonly api: FaultPlan<ApiFault>;
  readonly webhooks: FaultPlan<WebhookFault>;
  private hung = new Set<ServerResponse>();

  constructor(options: StripeFaultOptions = {}) {
    // A hang outlasts the app's client timeout; the socket is then dropped.
    this.api = new FaultPlan(API_FAULTS, { hangMs: 30_000 }, options.api);
    this.webhooks = new FaultPlan(WEBHOOK_FAULTS, { hangMs: 0 }, options.webhooks);
  }

  configure(options: StripeFaultOptions): void {
    this.api.configure(options.api ?? {});
    this.webhooks.configure(options.webhooks ?? {});
  }

  snapshot(): {
    api: ReturnType<FaultPlan<ApiFault>['snapshot']>;
    webhooks: ReturnType<FaultPlan<WebhookFault>['snapshot']>;
  } {
    return { api: this.api.snapshot(), webhooks: this.webhooks.snapshot() };
  }

  /** Holds an answer that was computed but must never arrive; the socket is dropped after `hang_ms`. */
  hang(req: IncomingMessage, res: ServerResponse): void {
    this.hung.add(res);
    const t = setTimeout(() => this.drop(res), this.api.hangMs);
    t.unref();
    res.once('close', () => {
      clearTimeout(t);
      this.hung.delete(res);
    });
    req.resume();
  }

  /** Drops every hung answer (on close and reset). */
  dropAll(): void {
    for (const res of this.hung) this.drop(res);
  }

  private drop(res: ServerResponse): void {
    this.hung.delete(res);
    res.socket?.destroy();
  }
}

/** Stripe's answers for injected faults: the SDK retries a 500 and surfaces a 429 as a rate-limit error. */
export function faultAnswer(kind: 'error_500' | 'rate_limit_429'): {
  status: number;
  body: unknown;
  headers: Record<string, string>;
} {
  if (kind === 'rate_limit_429') {
    return {
      status: 429,
      headers: { 'retry-after': '1' },
      body: {
        error: {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message: 'Too many requests hit the API too quickly (injected fault).',
        },
      },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { type: 'api_error', message: 'An unexpected error occurred (injected fault).' } },
  };
}
