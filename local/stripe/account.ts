import type Stripe from 'stripe';
import { IdSource, nowSeconds } from './ids.ts';
import { IdempotencyCache } from './idempotency.ts';
import { Store, type StoredObject } from './store.ts';
import { StripeFaults, type StripeFaultOptions } from './faults.ts';
import { WebhookDispatcher, type WebhookOptions, type WebhookTarget } from './webhooks.ts';

/** The `request` block of an event: which API call caused it, if any. */
export interface EventRequest {
  id: string | null;
  idempotency_key: string | null;
}

export const NO_REQUEST: EventRequest = { id: null, idempotency_key: null };

export interface AccountOptions {
  apiVersion: string;
  webhooks?: Partial<WebhookOptions>;
  faults?: StripeFaultOptions;
  /**
   * After a delayed (bank debit) payment, settle it by itself after this many
   * ms; `null` waits for the `/_local/checkout_sessions/{id}/settle` control.
   */
  asyncPaymentDelayMs?: number | null;
  /** Seed of the account's ids (random by default); see `IdSource`. */
  seed?: string;
}

/** Internal fields of a webhook endpoint that Stripe never shows after create. */
export interface EndpointSecret extends Record<string, unknown> {
  secret: string;
}

/**
 * One test-mode account: its objects, its events and the webhook deliveries
 * they cause. Resource modules mutate objects through here so that every
 * change that Stripe would announce is announced.
 */
export class LocalAccount {
  readonly store = new Store();
  readonly ids: IdSource;
  readonly idempotency = new IdempotencyCache();
  readonly webhooks: WebhookDispatcher;
  readonly faults: StripeFaults;
  readonly apiVersion: string;
  asyncPaymentDelayMs: number | null;
  /** Origin of the HTTP server, for `url` fields; set once listening. */
  baseUrl = 'http://127.0.0.1';
  private timers = new Set<NodeJS.Timeout>();
  /** Each event's last payload and the `pending_webhooks` it was written with, so copies reuse it. */
  private payloads = new WeakMap<Stripe.Event, { pending: number; text: string }>();

  constructor(options: AccountOptions) {
    this.apiVersion = options.apiVersion;
    this.ids = new IdSource(options.seed);
    this.faults = new StripeFaults(options.faults);
    this.webhooks = new WebhookDispatcher(options.webhooks, this.faults.webhooks);
    this.asyncPaymentDelayMs = options.asyncPaymentDelayMs ?? null;
  }

  /** Records an event and queues its deliveries; `object` is snapshotted now. */
  emit<T extends StoredObject>(
    type: string,
    object: T,
    options: { previous_attributes?: Record<string, unknown>; request?: EventRequest } = {},
  ): Stripe.Event {
    const targets = this.endpointsFor(type);
    const data: { object: unknown; previous_attributes?: Record<string, unknown> } = {
      object: structuredClone(object),
    };
    if (options.previous_attributes) data.previous_attributes = structuredClone(options.previous_attributes);
    const event = {
      id: this.ids.next('evt', `${object.id} ${type}`),
      object: 'event',
      api_version: this.apiVersion,
      created: nowSeconds(),
      data,
      livemode: false,
      pending_webhooks: targets.length,
      request: options.request ?? NO_REQUEST,
      type,
    } as unknown as Stripe.Event;
    this.store.put(event);
    for (const target of targets) this.deliver(event, target, 0, 0);
    return event;
  }

  /** Queues a delivery of a stored event to one endpoint (also used by resend). */
  deliver(event: Stripe.Event, target: WebhookTarget, copy: number, delayMs: number): void {
    let counted = false;
    this.webhooks.send(
      {
        eventId: event.id,
        eventType: event.type,
        // Serialized at send time so `pending_webhooks` is current, as Stripe's is.
        payload: () => this.payload(event),
        target,
        copy,
        onSuccess: () => {
          if (!counted && copy === 0 && event.pending_webhooks > 0) event.pending_webhooks--;
          counted = true;
        },
      },
      delayMs,
    );
  }

  /** The event as sent: pretty JSON, as Stripe's payloads are; events change only in `pending_webhooks`. */
  private payload(event: Stripe.Event): string {
    const last = this.payloads.get(event);
    if (last && last.pending === event.pending_webhooks) return last.text;
    const text = JSON.stringify(event, null, 2);
    this.payloads.set(event, { pending: event.pending_webhooks, text });
    return text;
  }

  /** Enabled endpoints subscribed to this event type (or to `*`). */
  endpointsFor(type: string): WebhookTarget[] {
    return this.store
      .all<Stripe.WebhookEndpoint>('webhook_endpoint')
      .filter((e) => e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(type)))
      .reverse() // oldest endpoint first
      .map((e) => this.target(e));
  }

  target(endpoint: Stripe.WebhookEndpoint): WebhookTarget {
    return { id: endpoint.id, url: endpoint.url, secret: this.store.extra<EndpointSecret>(endpoint.id).secret };
  }

  /** A timer cleared on reset/close, for delayed outcomes. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.webhooks.clear();
    this.faults.dropAll();
    this.faults.configure({});
    this.store.clear();
    this.idempotency.clear();
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.faults.dropAll();
    this.webhooks.close();
  }
}
