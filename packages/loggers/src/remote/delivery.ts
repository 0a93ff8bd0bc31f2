import { existsSync } from 'node:fs';
import type { Deliverer, SendResult } from '../outbox/deliverer.js';
import { Outbox } from '../outbox/outbox.js';
import type { OutboxRecord } from '../outbox/record.js';
import { RemoteError } from './http.js';

/** A remote logger's background delivery: the outbox's Deliverer and what to close after it (the HTTP pool). */
export interface RemoteDelivery {
  readonly deliverer: Deliverer;
  close(): Promise<void>;
}

/** Where a remote logger's messages go and what they name. */
export interface DeliveryReport {
  /** How messages start, e.g. 'W&B'. */
  readonly label: string;
  readonly say: (message: string) => void;
}

/**
 * The end of a run for a remote logger: delivers what remains for up to `timeoutMs`, stops the
 * deliverer and closes the connection. Whatever is still undelivered stays in the outbox, and
 * `say` gets `<label>: N event(s) not delivered (last error: …); they are kept in <outboxDir>.
 * Upload them with `kiln sync <runDir>`.`
 * @example const { remaining } = await finishDelivery(net, { label: 'W&B', say, timeoutMs: 30_000, outboxDir: box.dir, runDir });
 */
export async function finishDelivery(
  delivery: RemoteDelivery,
  o: DeliveryReport & { readonly timeoutMs: number; readonly outboxDir: string; readonly runDir: string },
): Promise<{ delivered: number; remaining: number }> {
  const result = await delivery.deliverer.drain(o.timeoutMs);
  const why = delivery.deliverer.status().lastError;
  await delivery.deliverer.stop();
  await delivery.close();
  if (result.remaining > 0) {
    o.say(`${o.label}: ${result.remaining} event(s) not delivered${why ? ` (last error: ${why})` : ''}; they are kept in ${o.outboxDir}. Upload them with \`kiln sync ${o.runDir}\`.`);
  }
  return result;
}

/**
 * `kiln sync` for one remote logger: opens the outbox in `dir` (nothing to do when there is none
 * or it is empty), starts delivery with `connect` (which may return undefined to leave the records
 * where they are, or throw when the outbox cannot be synced), delivers for up to `timeoutMs` and
 * closes everything. Resolves with what was delivered and what remains.
 * @example const { delivered, remaining } = await replayOutbox(dir, { label: 'MLflow', say, timeoutMs: 600_000, connect: (box) => delivery(box) });
 */
export async function replayOutbox(
  dir: string,
  o: DeliveryReport & { readonly timeoutMs: number; readonly connect: (outbox: Outbox) => RemoteDelivery | undefined },
): Promise<{ delivered: number; remaining: number }> {
  if (!existsSync(dir)) return { delivered: 0, remaining: 0 };
  const outbox = await Outbox.open(dir);
  let delivery: RemoteDelivery | undefined;
  try {
    const pending = outbox.status().pending;
    if (pending === 0) return { delivered: 0, remaining: 0 };
    delivery = o.connect(outbox);
    if (!delivery) return { delivered: 0, remaining: pending };
    const result = await delivery.deliverer.drain(o.timeoutMs);
    const why = delivery.deliverer.status().lastError;
    await delivery.deliverer.stop();
    if (result.remaining > 0 && why) o.say(`${o.label} sync: ${result.remaining} event(s) remain: ${why}`);
    return result;
  } finally {
    await delivery?.close();
    await outbox.close();
  }
}

/** What `sendInOrder` needs of a remote client: the abort signal it obeys, and its secret scrubber. */
export interface SendTarget {
  signal: AbortSignal | undefined;
  scrub(text: string): string;
}

/**
 * The body of a sink's `SendFn`: calls `step(i)` from record 0 until all are handled (each call
 * handles the records from index `i` on and returns the next index), with `client.signal` set to
 * the Deliverer's `signal` meanwhile. Never rejects: a `RemoteError` of kind `retry` becomes a
 * retryable failure (with its Retry-After), `reject` and `auth` a fatal one (the records stay for
 * `kiln sync`), any other error a retryable failure with its message scrubbed.
 * @example send: (records, signal) => sendInOrder(records, signal, client, (i) => this.#step(records, i))
 */
export async function sendInOrder(
  records: readonly OutboxRecord[],
  signal: AbortSignal | undefined,
  client: SendTarget,
  step: (i: number) => Promise<number>,
): Promise<SendResult> {
  client.signal = signal;
  try {
    for (let i = 0; i < records.length;) {
      signal?.throwIfAborted();
      i = await step(i);
    }
    return { ok: true };
  } catch (e) {
    const err = e instanceof RemoteError ? e : new RemoteError(client.scrub(String((e as Error)?.message ?? e)), 'retry');
    if (err.kind === 'retry') return { ok: false, error: err.message, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
    return { ok: false, fatal: true, error: err.message };
  } finally {
    client.signal = undefined;
  }
}
