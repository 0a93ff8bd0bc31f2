// The loopback server must refuse what MLflow refuses, or the logger tests would prove nothing.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MlflowServer, startMlflowServer } from './mlflow-server.js';

let s: MlflowServer;
let runId: string;
const TOKEN = 'tok-1234567890';
beforeAll(async () => {
  s = await startMlflowServer({ auth: { token: TOKEN }, maxParamLength: 500 });
  runId = ((await call('runs/create', { experiment_id: '0', run_name: 'r', start_time: 1, tags: [] })).json as { run: { info: { run_id: string } } }).run.info.run_id;
});
afterAll(async () => s.close());

async function call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${s.url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}
const batch = (b: Record<string, unknown>) => call('runs/log-batch', { run_id: runId, ...b });
const metric = (i: number, extra: Record<string, unknown> = {}) => ({ key: `m${i % 7}`, value: i, timestamp: 1, step: i, ...extra });

describe('loopback MLflow server rules', () => {
  it('answers errors as {error_code, message} with MLflow statuses', async () => {
    expect(await call('experiments/create', { name: 'Default' })).toMatchObject({ status: 400, json: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    expect(await call('runs/get-nothing', {})).toMatchObject({ status: 404, json: { error_code: 'ENDPOINT_NOT_FOUND' } });
    expect(await call('runs/update', { run_id: runId, status: 'DONE' })).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await call('runs/update', { run_id: 'nope', status: 'FINISHED' })).toMatchObject({ status: 404, json: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await call('runs/update', { run_id: runId, status: 'RUNNING' }, { authorization: 'Bearer wrong' })).toMatchObject({ status: 401, json: { error_code: 'UNAUTHENTICATED' } });
    expect((await call('runs/update', '{}', { 'content-type': 'text/plain' })).status).toBe(400);
  });

  it('enforces the log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 items, 1 MB', async () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect((await batch({ metrics: range(1001).map((i) => metric(i)) })).status).toBe(400);
    expect((await batch({ metrics: range(1000).map((i) => metric(i)) })).status).toBe(200);
    expect((await batch({ params: range(101).map((i) => ({ key: `p${i}`, value: '1' })) })).status).toBe(400);
    expect((await batch({ tags: range(101).map((i) => ({ key: `t${i}`, value: '1' })) })).status).toBe(400);
    expect((await batch({ metrics: range(950).map((i) => metric(i)), tags: range(60).map((i) => ({ key: `t${i}`, value: '1' })) })).status).toBe(400);
    const big = { tags: range(100).map((i) => ({ key: `t${i}`, value: 'v'.repeat(7900) })), metrics: range(800).map((i) => metric(i, { key: `k${'x'.repeat(240)}${i}` })) };
    expect(JSON.stringify(big).length).toBeGreaterThan(1_000_000);
    expect((await batch(big)).json.message).toMatch(/1000000 bytes/);
  });

  it('checks keys, values, param immutability and duplicate params', async () => {
    expect((await batch({ metrics: [metric(1, { key: 'bad@key' })] })).status).toBe(400);
    expect((await batch({ metrics: [metric(1, { key: '../up' })] })).status).toBe(400);
    expect((await batch({ metrics: [metric(1, { key: 'k'.repeat(251) })] })).status).toBe(400);
    expect((await batch({ metrics: [metric(1, { value: true })] })).status).toBe(400);
    expect((await batch({ metrics: [metric(1, { value: 'NaN' })] })).status).toBe(200);
    expect((await batch({ metrics: [metric(1, { timestamp: -1 })] })).status).toBe(400);
    expect((await batch({ params: [{ key: 'lr', value: '0.1' }, { key: 'lr', value: '0.1' }] })).status).toBe(400);
    expect((await batch({ params: [{ key: 'lr', value: '0.1' }] })).status).toBe(200);
    expect((await batch({ params: [{ key: 'lr', value: '0.1' }] })).status).toBe(200);
    expect((await batch({ params: [{ key: 'lr', value: '0.2' }] })).json.message).toContain('Changing param values is not allowed');
    expect((await batch({ params: [{ key: 'long', value: 'x'.repeat(501) }] })).status).toBe(400);
  });

  it('stores an identical metric once (the SQL store primary key), and checks mlflow.runName', async () => {
    const before = s.runs.get(runId)!.metrics.length;
    await batch({ metrics: [metric(5000, { key: 'dup' })] });
    await batch({ metrics: [metric(5000, { key: 'dup' })] });
    await batch({ metrics: [metric(5000, { key: 'dup', timestamp: 2 })] });
    expect(s.runs.get(runId)!.metrics.length).toBe(before + 2);
    const mismatch = await call('runs/create', { experiment_id: '0', run_name: 'a', start_time: 1, tags: [{ key: 'mlflow.runName', value: 'b' }] });
    expect(mismatch).toMatchObject({ status: 400, json: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('accepts artifact PUTs on normalized paths only', async () => {
    const put = async (path: string) => (await request(`${s.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` }, body: 'x' })).statusCode;
    expect(await put(`0/${runId}/artifacts/a.txt`)).toBe(200);
    expect(await put(`0/${runId}/artifacts//x`)).toBe(400); // URL clients already resolve dot segments
    expect(await put(`0/${runId}/artifacts/a%2F..%2F..%2Fetc`)).toBe(400);
  });
});
