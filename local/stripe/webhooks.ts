import { EventEmitter } from 'node:events';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { performance } from 'node:perf_hooks';
import { BoundedLog } from '../bounded-log.ts';
import { FaultPlan, pause, seededBytes } from '../faults/fault-plan.ts';
import type { WebhookFault } from './faults.ts';
import { randomToken } from './ids.ts';
import { signPayload } from './webhook-signature.ts';

/** What the dispatcher needs to know about an endpoint. */
export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
}

export interface WebhookOptions {
  /** First retry delay; each further retry doubles it. Stripe waits hours, tests cannot. */
  retryBaseDelayMs: number;
  /** Attempts per delivery including the first (Stripe tries for up to 3 days). */
  maxAttempts: number;
  /** An endpoint that has not answered by then counts as failed and is retried, as with Stripe. */
  timeoutMs: number;
  /** Deliveries in flight at once across all endpoints. */
  concurrency: number;
  /**
   * A kept-alive connection to an endpoint idle this long is closed, below the usual server
   * keep-alive timeout (Node's 5 s), so that no delivery starts on one the endpoint is closing.
   */
  idleSocketTimeoutMs: number;
}

export const defaultWebhookOptions: WebhookOptions = {
  retryBaseDelayMs: 1000,
  maxAttempts: 5,
  timeoutMs: 10_000,
  concurrency: 16,
  idleSocketTimeoutMs: 4000, // as undici's keepAliveTimeout
};

export interface DeliveryAttempt {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  url: string;
  attempt: number;
  /** `succeeded` on a 2xx; `retrying` when another attempt is scheduled; `failed` when out of attempts. */
  status: 'succeeded' | 'retrying' | 'failed';
  response_status: number | null;
  error: string | null;
  /** Wall-clock ms when the payload was signed and when the endpoint answered. */
  signed_at: number;
  finished_at: number;
  /** Signing-to-answer time, from a monotonic clock. */
  duration_ms: number;
  /** Retry copy or `resend` copy number (0 for the original). */
  copy: number;
}

interface Job {
  eventId: string;
  eventType: string;
  payload: () => string;
  target: WebhookTarget;
  attempt: number;
  copy: number;
  onSuccess: () => void;
}

export const LOG_LIMIT = 20_000;

/**
 * `items` in an order drawn from `seed`: each ranked by a hash of (seed, its identity), so one
 * seed gives one order however the items arrived. A total order: items of one identity (ties)
 * keep their relative order, so the result never depends on the engine's sort.
 */
export function seededOrder<T>(items: T[], seed: string, identity: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, rank: seededBytes(seed, identity(item), 8).toString('hex') }))
    .sort(byRank)
    .map((x) => x.item);
}

/** By rank, then by held position: 0 only for the same item, and b before a exactly when not a before b. */
export function byRank(a: { rank: string; i: number }, b: { rank: string; i: number }): number {
  return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.i - b.i;
}

/**
 * Sends events to endpoints outside the request that caused them: jobs are
 * queued, run with bounded concurrency, retried with exponential backoff on
 * non-2xx or timeout, and every attempt is logged.
 */
export class WebhookDispatcher extends EventEmitter<{ attempt: [DeliveryAttempt]; idle: [] }> {
  readonly options: WebhookOptions;
  private readonly attempts = new BoundedLog<DeliveryAttempt>(LOG_LIMIT);
  private queue: Job[] = [];
  private held: Job[] = [];
  private holding = false;
  private running = 0;
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private pumpScheduled = false;
  // Connections to endpoints are kept open between deliveries, as Stripe's are.
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(
    options: Partial<WebhookOptions> = {},
    private faults: FaultPlan<WebhookFault> | null = null,
  ) {
    super();
    this.options = { ...defaultWebhookOptions, ...options };
    // An agent's `timeout` is its free sockets' idle timeout (a busy socket's only emits an event).
    const agentOptions = { keepAlive: true, timeout: this.options.idleSocketTimeoutMs };
    this.agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  }

  /** Queues one delivery of an event to an endpoint, optionally after a delay. */
  send(job: Omit<Job, 'attempt'>, delayMs = 0): void {
    const full: Job = { ...job, attempt: 1 };
    if (delayMs > 0) this.after(delayMs, () => this.enqueue(full));
    else this.enqueue(full);
  }

  /** Stops sending: new deliveries wait until `release`, to simulate an outage or reorder them. */
  hold(): void {
    this.holding = true;
  }

  /**
   * Sends what was held, in the order asked for. Returns how many were released. A shuffle
   * orders by a hash of (seed, delivery), so one seed gives one order however the jobs arrived.
   */
  release(order: 'fifo' | 'reverse' | 'shuffle' = 'fifo', seed = ''): number {
    this.holding = false;
    let jobs = this.held;
    this.held = [];
    if (order === 'reverse') jobs.reverse();
    if (order === 'shuffle') jobs = seededOrder(jobs, seed, (j) => `${j.eventId} ${j.target.id} ${j.copy}`);
    if (order === 'fifo') {
      // A released backlog goes out as fast as a real outage's would: concurrently.
      for (const job of jobs) this.queue.push(job);
      this.schedulePump();
    } else {
      // One at a time, each after the previous answered, so the endpoint sees the order asked for
      // (started together, they could arrive in any order).
      void this.deliverInOrder(jobs);
    }
    return jobs.length;
  }

  /** The newest `LOG_LIMIT` attempts, oldest first. */
  get log(): DeliveryAttempt[] {
    return this.attempts.toArray();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** True when nothing is queued, in flight or waiting for a retry. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.timers.size === 0 && !this.pumpScheduled;
  }

  /** Resolves once every queued, in-flight and scheduled delivery is done (held ones excepted). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.once('idle', resolve));
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue = [];
    this.held = [];
    this.holding = false;
    this.attempts.clear();
    this.checkIdle();
  }

  close(): void {
    this.closed = true;
    this.clear();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
      this.checkIdle();
    }, ms);
    this.timers.add(t);
  }

  private enqueue(job: Job): void {
    if (this.closed) return;
    if (this.holding) this.held.push(job);
    else {
      this.queue.push(job);
      this.schedulePump();
    }
  }

  /** Starts sending on a later tick, so deliveries never run inside the API call that caused them. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private async deliverInOrder(jobs: Job[]): Promise<void> {
    this.running++;
    try {
      for (const job of jobs) if (!this.closed) await this.attempt(job);
    } finally {
      this.running--;
      this.pump();
      this.checkIdle();
    }
  }

  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.attempt(job).finally(() => {
        this.running--;
        this.pump();
        this.checkIdle();
      });
    }
  }

  private checkIdle(): void {
    if (this.idle) this.emit('idle');
  }

  private async attempt(job: Job): Promise<void> {
    const payload = job.payload();
    const signedAtWall = Date.now();
    const start = performance.now();
    const signature = signPayload(payload, job.target.secret, Math.floor(signedAtWall / 1000));
    let responseStatus: number | null = null;
    let error: string | null = null;
    // `fail`: never reaches the endpoint. `timeout`: the endpoint gets it and answers, but too late.
    const fault = this.faults?.active
      ? this.faults.choose(job.target.url, `${job.eventId} ${job.target.id} ${job.copy}`)
      : null;
    if (this.faults) await pause(this.faults.latencyMs);
    try {
      if (fault === 'fail') throw new Error('injected fault: connection refused');
      const status = await post(
        this.agents,
        job.target.url,
        {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signature,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'cache-control': 'no-cache',
        },
        payload,
        this.options.timeoutMs,
      );
      responseStatus = status;
      if (status < 200 || status >= 300) error = `endpoint answered HTTP ${status}`;
      if (fault === 'timeout') {
        await pause(this.faults!.hangMs);
        responseStatus = null;
        error = `timed out after ${this.options.timeoutMs} ms (injected fault)`;
      }
    } catch (err) {
      error =
        err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
          ? `timed out after ${this.options.timeoutMs} ms`
          : `could not connect: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (this.closed) return;
    const ok = error === null;
    const retry = !ok && job.attempt < this.options.maxAttempts;
    const record: DeliveryAttempt = {
      id: `wda_${randomToken(24)}`,
      event_id: job.eventId,
      event_type: job.eventType,
      endpoint_id: job.target.id,
      url: job.target.url,
      attempt: job.attempt,
      status: ok ? 'succeeded' : retry ? 'retrying' : 'failed',
      response_status: responseStatus,
      error,
      signed_at: signedAtWall,
      finished_at: Date.now(),
      duration_ms: performance.now() - start,
      copy: job.copy,
    };
    this.attempts.push(record);
    if (ok) job.onSuccess();
    if (retry) {
      const delay = this.options.retryBaseDelayMs * 2 ** (job.attempt - 1);
      this.after(delay, () => this.enqueue({ ...job, attempt: job.attempt + 1 }));
    }
    this.emit('attempt', record);
  }
}

/** Request options per endpoint URL, parsed once. */
const targets = new Map<string, RequestOptions & { https: boolean }>();

function targetOptions(url: string): RequestOptions & { https: boolean } {
  let options = targets.get(url);
  if (!options) {
    const https = url.startsWith('https:');
    options = { ...urlToHttpOptions(new URL(url)), method: 'POST', https };
    if (targets.size > 1000) targets.clear();
    targets.set(url, options);
  }
  return options;
}

/** POSTs one delivery and resolves with the endpoint's status once its whole answer arrived. */
function post(
  agents: { http: HttpAgent; https: HttpsAgent },
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const { https, ...options } = targetOptions(url);
  const send = https ? httpsRequest : httpRequest;
  const agent = https ? agents.https : agents.http;
  return new Promise((resolve, reject) => {
    // One timer for the whole exchange, as `AbortSignal.timeout` would be, at less cost per request.
    const timer = setTimeout(() => {
      reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' }));
      req.destroy();
    }, timeoutMs).unref();
    headers['content-length'] = String(Buffer.byteLength(body));
    const req = send({ ...options, agent, headers }, (res: IncomingMessage) => {
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.resume();
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
