import { afterEach, describe, expect, it } from 'vitest';
import { Loopback, type Reply } from '../testing/index.js';
import { HttpClient, RemoteError, parseRetryAfter, safeUrl } from './http.js';

let lb: Loopback | undefined;
let http: HttpClient | undefined;
afterEach(async () => {
  await http?.close();
  await lb?.close();
  http = undefined;
  lb = undefined;
});
const KEY = 'key-0123456789abcdef';
const serve = async (reply: Reply | ((path: string) => Reply)): Promise<Loopback> => {
  lb = await new Loopback((r) => (typeof reply === 'function' ? reply(r.path) : reply)).listen();
  return lb;
};
async function failure(p: Promise<unknown>): Promise<RemoteError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(RemoteError);
  return e as RemoteError;
}

describe('HttpClient', () => {
  it('resolves with any HTTP status, body as text, and sends headers and body as given', async () => {
    const s = await serve({ status: 418, body: 'teapot', headers: { 'retry-after': '2' } });
    http = new HttpClient({ timeoutMs: 2000 });
    const res = await http.send('POST', `${s.url}/x?y=1`, { 'content-type': 'text/plain', 'x-a': 'b' }, 'hello');
    expect([res.status, res.body, res.headers['retry-after']]).toEqual([418, 'teapot', '2']);
    expect(s.bodies[0]).toMatchObject({ method: 'POST', path: '/x?y=1', headers: { 'x-a': 'b' } });
    expect(s.bodies[0]!.body.toString()).toBe('hello');
  });

  it('ends a hung call after the idle timeout with a retryable RemoteError', async () => {
    const s = await serve({ status: 200 });
    s.fault = () => 'hang';
    http = new HttpClient({ timeoutMs: 300 });
    const e = await failure(http.send('GET', `${s.url}/slow`, {}));
    expect(e.kind).toBe('retry');
    expect(e.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/slow failed: UND_ERR_HEADERS_TIMEOUT$/);
  });

  it('obeys its abort signal, in flight and before a call', async () => {
    const s = await serve({ status: 200 });
    s.fault = () => 'hang';
    http = new HttpClient({ timeoutMs: 10_000 });
    const ac = new AbortController();
    http.signal = ac.signal;
    const pending = http.send('GET', `${s.url}/a`, {});
    setTimeout(() => ac.abort(new Error('deliverer stopped')), 50);
    expect((await failure(pending)).kind).toBe('retry');
    expect((await failure(http.send('GET', `${s.url}/b`, {}))).message).toContain('deliverer stopped');
    expect(s.bodies.map((b) => b.path)).toEqual(['/a']); // the second call never left
  });

  it('scrubs secrets and their base64 forms from messages; never the query of a URL', async () => {
    http = new HttpClient({ timeoutMs: 500, secrets: [KEY, `api:${KEY}`, undefined, 'abc'] });
    const b64 = Buffer.from(`api:${KEY}`).toString('base64');
    expect(http.scrub(`a ${KEY} b ${Buffer.from(KEY).toString('base64')} c Basic ${b64} abc`)).toBe('a *** b *** c Basic *** abc'); // < 4 chars: kept
    const e = await failure(http.send('PUT', `http://user:${KEY}@127.0.0.1:1/up?sig=${KEY}`, {}));
    expect(e.message).toMatch(/^PUT http:\/\/127\.0\.0\.1:1\/up failed: ECONNREFUSED$/);
  });
});

describe('safeUrl and parseRetryAfter', () => {
  it('drops user info and query, and survives a bad URL', () => {
    expect(safeUrl('https://u:p@host:8/x/y?sig=abc#h')).toBe('https://host:8/x/y');
    expect(safeUrl('not a url')).toBe('(invalid URL)');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['1.5', '9'])).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
