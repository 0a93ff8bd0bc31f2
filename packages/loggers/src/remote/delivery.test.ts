import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deliverer, type SendFn } from '../outbox/deliverer.js';
import { Outbox } from '../outbox/outbox.js';
import { type RemoteDelivery, type SendTarget, finishDelivery, replayOutbox, sendInOrder } from './delivery.js';
import { RemoteError } from './http.js';

const fast = { baseMs: 5, maxMs: 20, maxBatch: 10, timeoutMs: 2000 };
const runDir = () => mkdtempSync(join(tmpdir(), 'kiln-remote-'));
const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ seq: i + 1, key: `k${i}`, kind: 'm', payload: i, time: 0 }));
const target = (): SendTarget & { seen: (AbortSignal | undefined)[] } => {
  const t = { seen: [] as (AbortSignal | undefined)[], signal: undefined as AbortSignal | undefined, scrub: (s: string) => s.replace('SECRET', '***') };
  return t;
};
/** A delivery whose send stores payloads (or fails while `down`), and records whether it was closed. */
function fakeDelivery(box: Outbox, sink: { got: unknown[]; down: boolean; closed: number }): RemoteDelivery {
  const send: SendFn = async (records) => {
    if (sink.down) return { ok: false, error: 'connection refused' };
    sink.got.push(...records.map((r) => r.payload));
    return { ok: true };
  };
  return { deliverer: new Deliverer(box, send, fast), close: async () => void sink.closed++ };
}

describe('sendInOrder', () => {
  it('calls step until every record is handled, with the signal set only meanwhile', async () => {
    const client = target();
    const ac = new AbortController();
    const starts: number[] = [];
    const result = await sendInOrder(recs(5), ac.signal, client, async (i) => {
      starts.push(i);
      client.seen.push(client.signal);
      return i + 2;
    });
    expect(result).toEqual({ ok: true });
    expect(starts).toEqual([0, 2, 4]);
    expect(client.seen.every((s) => s === ac.signal)).toBe(true);
    expect(client.signal).toBeUndefined();
  });

  it('maps failures: retry (with Retry-After) is retryable, reject and auth are fatal, other errors retryable and scrubbed', async () => {
    const fail = (e: unknown) => sendInOrder(recs(1), undefined, target(), async () => { throw e; });
    expect(await fail(new RemoteError('HTTP 503', 'retry', 503, 1500))).toEqual({ ok: false, error: 'HTTP 503', retryAfterMs: 1500 });
    expect(await fail(new RemoteError('HTTP 500', 'retry', 500))).toEqual({ ok: false, error: 'HTTP 500' });
    expect(await fail(new RemoteError('HTTP 400', 'reject', 400))).toEqual({ ok: false, fatal: true, error: 'HTTP 400' });
    expect(await fail(new RemoteError('HTTP 401', 'auth', 401))).toEqual({ ok: false, fatal: true, error: 'HTTP 401' });
    expect(await fail(new TypeError('bad SECRET'))).toEqual({ ok: false, error: 'bad ***' });
    const ac = new AbortController();
    ac.abort(new Error('stopped'));
    expect(await sendInOrder(recs(1), ac.signal, target(), async () => 1)).toEqual({ ok: false, error: 'stopped' });
  });
});

describe('finishDelivery and replayOutbox', () => {
  it('finish keeps what cannot be delivered and names `kiln sync`; replay delivers it once, then nothing', async () => {
    const dir = runDir();
    const outboxDir = join(dir, 'outbox', 'sink');
    let box = await Outbox.open(outboxDir);
    for (let i = 0; i < 7; i++) box.append('m', `m:${i}`, i);
    const sink = { got: [] as unknown[], down: true, closed: 0 };
    const said: string[] = [];
    const say = (m: string) => void said.push(m);
    const live = fakeDelivery(box, sink);
    live.deliverer.start();
    expect(await finishDelivery(live, { label: 'Sink', say, timeoutMs: 200, outboxDir, runDir: dir })).toEqual({ delivered: 0, remaining: 7 });
    expect(sink.closed).toBe(1);
    expect(said).toEqual([`Sink: 7 event(s) not delivered (last error: connection refused); they are kept in ${outboxDir}. Upload them with \`kiln sync ${dir}\`.`]);
    await box.close();

    sink.down = false;
    const replay = () => replayOutbox(outboxDir, { label: 'Sink', say, timeoutMs: 5000, connect: (b) => fakeDelivery(b, sink) });
    expect(await replay()).toEqual({ delivered: 7, remaining: 0 });
    expect(sink.got).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sink.closed).toBe(2);
    expect(await replay()).toEqual({ delivered: 0, remaining: 0 }); // nothing new
    expect(sink.got).toHaveLength(7);
    box = await Outbox.open(outboxDir); // replay closed the outbox (lock released)
    await box.close();
  });

  it('replay: no outbox folder, a connect that declines, and a connect that throws', async () => {
    const dir = runDir();
    const connect = () => { throw new Error('must not be called'); };
    expect(await replayOutbox(join(dir, 'outbox', 'none'), { label: 'S', say: () => {}, timeoutMs: 10, connect })).toEqual({ delivered: 0, remaining: 0 });
    expect(existsSync(join(dir, 'outbox', 'none'))).toBe(false);
    const outboxDir = join(dir, 'outbox', 's');
    const box = await Outbox.open(outboxDir);
    box.append('m', 'a', 1);
    box.append('m', 'b', 2);
    await box.close();
    expect(await replayOutbox(outboxDir, { label: 'S', say: () => {}, timeoutMs: 10, connect: () => undefined })).toEqual({ delivered: 0, remaining: 2 });
    await expect(replayOutbox(outboxDir, { label: 'S', say: () => {}, timeoutMs: 10, connect })).rejects.toThrow('must not be called');
    await (await Outbox.open(outboxDir)).close(); // still released after the throw
  });
});
