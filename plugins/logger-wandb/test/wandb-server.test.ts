// The loopback server must refuse what W&B refuses, or the logger tests would prove nothing.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey } from './helpers.js';
import { type WandbServer, startWandbServer } from './wandb-server.js';

let s: WandbServer;
let auth: string;
beforeAll(async () => {
  s = await startWandbServer(newKey());
  auth = `Basic ${Buffer.from(`api:${s.apiKey}`).toString('base64')}`;
  await post('/graphql', { operationName: 'UpsertBucket', query: 'mutation UpsertBucket($name: String) { upsertBucket(input: {name: $name}) { bucket { id } } }', variables: { name: 'r1', project: 'p' } });
});
afterAll(async () => s.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await request(`${s.url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.statusCode, text: await res.body.text() };
}
const line = (step: number, extra = ''): string => `{"loss":1${extra},"_step":${step},"_runtime":1.5,"_timestamp":1700000000.25}`;
const history = (offset: number, content: string[]) => post('/files/kiln-user/p/r1/file_stream', { files: { 'wandb-history.jsonl': { offset, content } } });

describe('loopback W&B server rules', () => {
  it('refuses a wrong key, a wrong content type and unknown runs', async () => {
    expect((await post('/graphql', {}, { authorization: `Basic ${Buffer.from('api:nope').toString('base64')}` })).status).toBe(401);
    expect((await post('/graphql', '{}', { 'content-type': 'text/plain' })).status).toBe(400);
    expect((await post('/files/kiln-user/p/nope/file_stream', { files: {} })).status).toBe(404);
  });

  it('accepts consecutive history with bare NaN tokens and refuses gaps, skipped _step values and bad lines', async () => {
    expect((await history(0, [line(0, ',"x":NaN'), line(1, ',"y":-Infinity')])).status).toBe(200);
    expect(Number.isNaN(s.run('r1').history[0]!.x)).toBe(true);
    expect((await history(3, [line(3)])).text).toContain('gap');
    expect((await history(2, [line(3)])).text).toContain('does not follow');
    expect((await history(2, ['{"loss":1,"_step":2}'])).text).toContain('_runtime');
    expect((await history(2, ['{"loss":nan,"_step":2,"_runtime":1,"_timestamp":1}'])).text).toContain('not JSON');
    expect((await history(1, [line(1), line(2)])).status).toBe(200); // a re-sent line replaces itself
    expect(s.run('r1').history.map((r) => r._step)).toEqual([0, 1, 2]);
  });

  it('refuses malformed console lines, summaries and completion', async () => {
    const fs = (body: unknown) => post('/files/kiln-user/p/r1/file_stream', body);
    expect((await fs({ files: { 'output.log': { offset: 0, content: ['no timestamp'] } } })).status).toBe(400);
    expect((await fs({ files: { 'wandb-summary.json': { offset: 1, content: ['{}'] } } })).status).toBe(400);
    expect((await fs({ complete: true })).text).toContain('exitcode');
    expect((await fs({ files: { 'wandb-history.jsonl': { offset: -1, content: [] } } })).status).toBe(400);
  });

  it('refuses bad UpsertBucket config and foreign entities as GraphQL errors', async () => {
    const upsert = (variables: Record<string, unknown>) => post('/graphql', { operationName: 'UpsertBucket', query: 'mutation UpsertBucket($x: String) { upsertBucket(input: {}) { bucket { id } } }', variables });
    expect((await upsert({ name: 'r1', project: 'p', config: '{"lr":0.1}' })).text).toContain('errors');
    expect((await upsert({ name: 'r1', project: 'p', entity: 'someone-else' })).text).toContain('permission denied');
    expect((await upsert({ name: 'bad id!', project: 'p' })).text).toContain('errors');
  });

  it('signed upload URLs refuse an Authorization header and a missing upload header', async () => {
    const res = await post('/graphql', { operationName: 'CreateRunFiles', query: 'mutation CreateRunFiles { createRunFiles(input: {}) { files { name uploadUrl } } }', variables: { entity: 'kiln-user', project: 'p', run: 'r1', files: ['a.txt'] } });
    const data = JSON.parse(res.text) as { data: { createRunFiles: { uploadHeaders: string[]; files: { uploadUrl: string }[] } } };
    const url = data.data.createRunFiles.files[0]!.uploadUrl;
    const [name, value] = data.data.createRunFiles.uploadHeaders[0]!.split(': ');
    const put = async (headers: Record<string, string>) => (await request(url, { method: 'PUT', headers, body: 'hi' })).statusCode;
    expect(await put({ [name!]: value!, authorization: auth })).toBe(400);
    expect(await put({})).toBe(403);
    expect(await put({ [name!]: value! })).toBe(200);
    expect(s.run('r1').files.get('a.txt')!.toString()).toBe('hi');
  });
});
