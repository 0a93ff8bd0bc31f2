import { errorText } from '../internal/format.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffDelay } from './backoff.js';
import type { Outbox } from './outbox.js';
import type { OutboxRecord } from './record.js';

/** What a sink's `send` reports: delivered, or failed (retryable unless `fatal`), maybe with `Retry-After`. */
export type SendResult = { ok: true } | { ok: false; retryAfterMs?: number; fatal?: boolean; error: string };

/** Sends one batch; `signal` aborts it on timeout or `stop()`. A thrown error counts as retryable. */
export type SendFn = (records: OutboxRecord[], signal: AbortSignal) => Promise<SendResult>;

export interface DelivererStatus {
  running: boolean;
  /** Records acknowledged by this deliverer since it was made. */
  delivered: number;
  /** Consecutive failed attempts of the current batch. */
  attempt: number;
  /** Stopped on a fatal error: records stay in the outbox for `kiln sync` after the cause is fixed. */
  fatal: boolean;
  lastError?: string;
}

/**
 * Delivers an outbox's records in the background: batches of up to `maxBatch` in seq order, one
 * request at a time, acknowledging each batch when `send` reports ok. Failures are retried with
 * exponential backoff and full jitter (or after the server's `retryAfterMs`); a `fatal` failure
 * stops delivery and leaves the records on disk. Never blocks or throws into the caller.
 * @example const d = new Deliverer(box, async (recs) => post(recs)); d.start(); … const { remaining } = await d.drain(30_000); await d.stop();
 */
export class Deliverer {
  readonly policy: RetryPolicy;
  readonly #outbox: Outbox;
  readonly #send: SendFn;
  readonly #rng: () => number;
  #running = false;
  #loop: Promise<void> | undefined;
  #delivered = 0;
  #attempt = 0;
  #fatal = false;
  #lastError: string | undefined;
  #inflight: AbortController | undefined;
  #wakeIdle: (() => void) | undefined;
  #wakeSleep: (() => void) | undefined;
  #wakeStop: (() => void) | undefined;
  readonly #progress = new Set<() => void>();
  #unsubscribe: (() => void) | undefined;

  constructor(outbox: Outbox, send: SendFn, policy: Partial<RetryPolicy> = {}, options: { rng?: () => number } = {}) {
    this.#outbox = outbox;
    this.#send = send;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...policy };
    this.#rng = options.rng ?? Math.random;
  }

  /** Starts background delivery (no-op when running or stopped by a fatal error). */
  start(): void {
    if (this.#running || this.#fatal) return;
    this.#running = true;
    this.#unsubscribe = this.#outbox.onAppend(() => this.#wakeIdle?.());
    this.#loop = this.#run();
  }

  /**
   * Keeps delivering until the outbox is empty, a fatal error, or `timeoutMs` passed; wakes a
   * deliverer that is waiting out its own backoff (never a server's Retry-After) so the end of a
   * run retries at once. Resolves with the
   * records this deliverer acknowledged so far and how many remain on disk.
   */
  async drain(timeoutMs: number): Promise<{ delivered: number; remaining: number }> {
    this.start();
    this.#wakeSleep?.();
    const deadline = Date.now() + timeoutMs;
    while (this.#outbox.status().pending > 0 && this.#running && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done(): void { clearTimeout(timer); resolve(); }
        this.#progress.add(done);
      });
    }
    return { delivered: this.#delivered, remaining: this.#outbox.status().pending };
  }

  /** Stops delivery, aborting a request in flight; resolves when the background loop has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#inflight?.abort(new Error('deliverer stopped'));
    this.#wakeIdle?.();
    this.#wakeStop?.();
    await this.#loop;
  }

  status(): DelivererStatus {
    return { running: this.#running, delivered: this.#delivered, attempt: this.#attempt, fatal: this.#fatal, ...(this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const batch = this.#outbox.pending(this.policy.maxBatch);
      if (batch.length === 0) {
        this.#notify();
        await new Promise<void>((resolve) => { this.#wakeIdle = resolve; });
        this.#wakeIdle = undefined;
        continue;
      }
      const result = await this.#sendOnce(batch);
      if (result.ok) {
        this.#outbox.ack(batch.map((r) => r.seq));
        this.#delivered += batch.length;
        this.#attempt = 0;
        this.#lastError = undefined;
        this.#notify();
        continue;
      }
      this.#lastError = result.error;
      if (!this.#running) break;
      if (result.fatal) {
        this.#fatal = true;
        this.#running = false;
        break;
      }
      const serverSaid = result.retryAfterMs !== undefined && result.retryAfterMs >= 0;
      const delay = serverSaid
        ? Math.min(result.retryAfterMs!, this.policy.maxRetryAfterMs ?? 600_000)
        : backoffDelay(this.#attempt, this.policy, this.#rng);
      this.#attempt++;
      this.#notify();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        timer.unref();
        const self = this;
        function done(): void { clearTimeout(timer); self.#wakeSleep = self.#wakeStop = undefined; resolve(); }
        this.#wakeStop = done;
        if (!serverSaid) this.#wakeSleep = done; // drain() may cut our own backoff short, never a Retry-After
      });
    }
    this.#unsubscribe?.();
    this.#notify();
  }

  async #sendOnce(batch: OutboxRecord[]): Promise<SendResult> {
    const ctl = new AbortController();
    this.#inflight = ctl;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SendResult>((resolve) => {
      timer = setTimeout(() => {
        ctl.abort(new Error(`timed out after ${this.policy.timeoutMs} ms`));
        resolve({ ok: false, error: `request timed out after ${this.policy.timeoutMs} ms` });
      }, this.policy.timeoutMs);
    });
    const stopped = new Promise<SendResult>((resolve) => {
      ctl.signal.addEventListener('abort', () => resolve({ ok: false, error: `aborted: ${errorText(ctl.signal.reason)}` }), { once: true });
    });
    try {
      const sent = Promise.resolve()
        .then(() => this.#send(batch, ctl.signal))
        .then((r): SendResult => (r && typeof r === 'object' && typeof r.ok === 'boolean' ? r : { ok: false, error: `send returned ${String(r)}, not a SendResult` }))
        .catch((e: unknown): SendResult => ({ ok: false, error: errorText(e) }));
      return await Promise.race([sent, timeout, stopped]);
    } finally {
      clearTimeout(timer);
      this.#inflight = undefined;
    }
  }

  #notify(): void {
    for (const done of [...this.#progress]) {
      this.#progress.delete(done);
      done();
    }
  }
}
