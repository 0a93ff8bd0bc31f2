import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError } from '@kiln/loggers';
import { Loopback, type Reply } from '@kiln/loggers/testing';
import { WandbClient } from './client.js';

let lb: Loopback | undefined;
afterEach(async () => lb?.close());

const KEY = 'k'.repeat(40);
async function answer(reply: Reply): Promise<WandbClient> {
  lb = await new Loopback(() => reply).listen();
  return new WandbClient({ baseUrl: lb.url, apiKey: KEY, timeoutMs: 1000 });
}
async function failure(p: Promise<unknown>): Promise<RemoteError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(RemoteError);
  return e as RemoteError;
}

describe('WandbClient follows the retry rules of W&B core', () => {
  it.each([
    [400, 'reject'], [401, 'auth'], [403, 'auth'], [404, 'reject'], [409, 'reject'], [410, 'reject'], [413, 'reject'], [422, 'reject'],
    [501, 'reject'], [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'], [504, 'retry'],
  ] as const)('HTTP %i on file_stream is %s', async (status, kind) => {
    const c = await answer({ status, body: `echo ${KEY}` });
    const e = await failure(c.fileStream('e', 'p', 'r', '{}'));
    expect(e.kind).toBe(kind);
    expect(e.message).not.toContain(KEY);
    await c.close();
  });

  it('retries 409 for UpsertBucket only, honours Retry-After, and treats GraphQL errors as refusals', async () => {
    let c = await answer({ status: 409 });
    expect((await failure(c.upsertBucket({ name: 'r', project: 'p' }))).kind).toBe('retry');
    await c.close();
    await lb!.close();
    c = await answer({ status: 429, headers: { 'retry-after': '7' } });
    expect((await failure(c.viewer())).retryAfterMs).toBe(7000);
    await c.close();
    await lb!.close();
    c = await answer({ status: 200, body: JSON.stringify({ errors: [{ message: 'project name invalid' }] }) });
    const e = await failure(c.viewer());
    expect([e.kind, e.message]).toEqual(['reject', 'W&B Viewer failed: project name invalid']);
    await c.close();
  });

  it('sends Basic api:<key> on GraphQL and file_stream, and no Authorization on signed-URL uploads', async () => {
    const c = await answer({ status: 200, body: '{"data":{"viewer":{"entity":"me"}}}' });
    await c.viewer();
    await c.upload(`${lb!.url}/signed?sig=1`, new Uint8Array([1]), { 'X-Extra': 'v' });
    expect(lb!.bodies[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`api:${KEY}`).toString('base64')}`);
    expect(lb!.bodies[1]!.headers.authorization).toBeUndefined();
    expect(lb!.bodies[1]!.headers['x-extra']).toBe('v');
    await c.close();
  });

  it('network errors are retryable and name the URL without its query', async () => {
    const c = new WandbClient({ baseUrl: 'http://127.0.0.1:1', apiKey: KEY, timeoutMs: 500 });
    const e = await failure(c.upload('http://127.0.0.1:1/x?sig=secret', new Uint8Array(1), {}));
    expect(e.kind).toBe('retry');
    expect(e.message).toContain('http://127.0.0.1:1/x');
    expect(e.message).not.toContain('secret');
    await c.close();
  });
});
