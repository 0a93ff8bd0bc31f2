import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Deliverer, type SendFn } from './deliverer.js';
import { Outbox } from './outbox.js';

type Behaviour = (n: number, req: IncomingMessage, res: ServerResponse, store: () => void) => void;

/** A loopback server that stores records by key (deduplicating) and answers as `behave` decides. */
async function sinkServer(behave: Behaviour) {
  const byKey = new Map<string, unknown>();
  const arrivals: string[] = [];
  const requestTimes: number[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      requestTimes.push(Date.now());
      const store = () => {
        for (const r of JSON.parse(body) as { key: string; payload: unknown }[]) {
          arrivals.push(r.key);
          if (!byKey.has(r.key)) byKey.set(r.key, r.payload);
        }
      };
      behave(n++, req, res, store);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/batch`;
  servers.push(server);
  return { url, byKey, arrivals, requestTimes, requests: () => n };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
});

/** The sink side of a remote logger: POST the batch, map the HTTP status to a SendResult. */
const httpSend = (url: string): SendFn => async (records, signal) => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(records.map((r) => ({ key: r.key, payload: r.payload }))), signal });
  await res.text();
  if (res.ok) return { ok: true };
  const ra = res.headers.get('retry-after');
  return { ok: false, error: `HTTP ${res.status}`, fatal: res.status === 400, ...(ra ? { retryAfterMs: Number(ra) * 1000 } : {}) };
};

const openBox = () => Outbox.open(join(mkdtempSync(join(tmpdir(), 'kiln-deliver-')), 'outbox', 'http'));
const fast = { baseMs: 5, maxMs: 50, maxBatch: 7, timeoutMs: 1500 }; // generous timeout: the machine may be loaded

describe('Deliverer', () => {
  it('delivers everything exactly once through 500s, 429 + Retry-After, lost replies and a hung request', async () => {
    const rng = (() => { let s = 7; return () => ((s = (s * 48271) % 2147483647) / 2147483647); })();
    let retryAfterAt = -1;
    const server = await sinkServer((n, _req, res, store) => {
      if (n === 0 || n === 1) { res.writeHead(500).end(); return; }
      if (n === 2) { retryAfterAt = Date.now(); res.writeHead(429, { 'retry-after': '1' }).end(); return; }
      if (n === 4) return; // hangs: the deliverer's timeout (1.5 s) aborts it
      if (rng() < 0.3) { store(); res.writeHead(503).end(); return; } // stored but the reply says failure: re-sent later
      store();
      res.writeHead(200).end('{}');
    });
    const box = await openBox();
    const failures: string[] = [];
    const send = httpSend(server.url);
    const deliverer = new Deliverer(box, async (records, signal) => {
      try {
        const r = await send(records, signal);
        if (!r.ok) failures.push(r.error);
        return r;
      } catch (e) {
        failures.push(String(e));
        throw e;
      }
    }, fast);
    deliverer.start();
    for (let step = 0; step < 120; step++) {
      box.append('metrics', `metrics:${step}`, { loss: 1 / (step + 1), nan: Number.NaN });
      if (step % 10 === 0) await new Promise((r) => setTimeout(r, 2)); // training yields now and then
    }
    const result = await deliverer.drain(20_000);
    await deliverer.stop();
    expect(result).toEqual({ delivered: 120, remaining: 0 });
    expect([...server.byKey.keys()]).toEqual(Array.from({ length: 120 }, (_, i) => `metrics:${i}`));
    expect(server.byKey.get('metrics:3')).toEqual({ loss: 0.25, nan: null }); // JSON on the wire: NaN → null
    expect(server.arrivals.length).toBeGreaterThan(120); // some were sent twice, and deduplicated by key
    // Retry-After: 1 s was honoured (the next request came no sooner; 20 ms timer slack).
    expect(server.requestTimes[3]! - retryAfterAt).toBeGreaterThanOrEqual(980);
    expect(failures.slice(0, 3)).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 429']);
    expect(failures.some((f) => /abort|timed out/i.test(f))).toBe(true); // the hung request was aborted
    expect(box.status()).toMatchObject({ pending: 0, delivered: 120 });
    await box.close();
  });

  it('leaves everything on disk while the server is down, then a later sync delivers it once', async () => {
    const down = await sinkServer(() => {});
    const downUrl = down.url;
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise((r) => s.close(r)); // nothing listens there any more: connection refused
    let box = await openBox();
    const dir = box.dir;
    const d1 = new Deliverer(box, httpSend(downUrl), fast);
    d1.start();
    for (let step = 0; step < 50; step++) box.append('metrics', `metrics:${step}`, { step });
    const end = await d1.drain(300);
    await d1.stop();
    expect(end).toEqual({ delivered: 0, remaining: 50 });
    expect(d1.status().lastError).toBeTruthy();
    await box.close();

    const up = await sinkServer((_n, _req, res, store) => { store(); res.writeHead(200).end(); });
    box = await Outbox.open(dir);
    const d2 = new Deliverer(box, httpSend(up.url), fast);
    expect(await d2.drain(10_000)).toEqual({ delivered: 50, remaining: 0 });
    await d2.stop();
    await box.close();
    expect(up.arrivals).toEqual(Array.from({ length: 50 }, (_, i) => `metrics:${i}`)); // exactly once, in order
    box = await Outbox.open(dir);
    expect(box.status()).toMatchObject({ pending: 0, delivered: 50 });
    await box.close();
  });

  it('stops on a fatal answer and keeps the records for later', async () => {
    const server = await sinkServer((_n, _req, res) => { res.writeHead(400).end(); });
    const box = await openBox();
    for (let i = 0; i < 5; i++) box.append('metrics', `metrics:${i}`, { i });
    const d = new Deliverer(box, httpSend(server.url), fast);
    expect(await d.drain(5000)).toEqual({ delivered: 0, remaining: 5 });
    expect(d.status()).toMatchObject({ running: false, fatal: true, lastError: 'HTTP 400' });
    expect(server.requests()).toBe(1);
    await d.stop();
    await box.close();
  });

  it('treats a throwing or malformed send as retryable', async () => {
    const box = await openBox();
    box.append('m', 'k', 1);
    let calls = 0;
    const d = new Deliverer(box, async () => {
      calls++;
      if (calls === 1) throw new Error('socket hang up');
      if (calls === 2) return undefined as never;
      return { ok: true };
    }, fast);
    expect(await d.drain(5000)).toEqual({ delivered: 1, remaining: 0 });
    expect(calls).toBe(3);
    await d.stop();
    await box.close();
  });
});
