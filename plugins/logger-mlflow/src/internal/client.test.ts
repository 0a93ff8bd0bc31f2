import { afterEach, describe, expect, it } from 'vitest';
import { Loopback, type Reply } from '@kiln/loggers/testing';
import { MlflowClient, MlflowError } from './client.js';

let lb: Loopback | undefined;
afterEach(async () => lb?.close());
const TOKEN = 'tok-0123456789abcdef';

async function answer(reply: Reply): Promise<MlflowClient> {
  lb = await new Loopback(() => reply).listen();
  return new MlflowClient({ trackingUri: `${lb.url}/prefix/`, auth: { kind: 'bearer', token: TOKEN }, timeoutMs: 1000 });
}
const err = (code: string, status: number): Reply => ({ status, body: JSON.stringify({ error_code: code, message: `msg with ${TOKEN}` }) });

describe('MlflowClient decides by error_code, then by status', () => {
  it.each([
    ['INVALID_PARAMETER_VALUE', 400, 'reject'], ['RESOURCE_ALREADY_EXISTS', 400, 'reject'], ['RESOURCE_DOES_NOT_EXIST', 404, 'reject'],
    ['UNAUTHENTICATED', 401, 'auth'], ['PERMISSION_DENIED', 403, 'auth'], ['REQUEST_LIMIT_EXCEEDED', 429, 'retry'],
    ['INTERNAL_ERROR', 500, 'retry'], ['INVALID_STATE', 500, 'reject'], ['TEMPORARILY_UNAVAILABLE', 503, 'retry'], ['ENDPOINT_NOT_FOUND', 404, 'reject'],
  ] as const)('%s (HTTP %i) is %s', async (code, status, kind) => {
    const c = await answer(err(code, status));
    const e = (await c.logBatch('r', {}).catch((x: unknown) => x)) as MlflowError;
    expect(e).toBeInstanceOf(MlflowError);
    expect([e.errorCode, e.kind]).toEqual([code, kind]);
    expect(e.message).not.toContain(TOKEN);
    await c.close();
  });

  it.each([[502, 'retry'], [504, 'retry'], [408, 'retry'], [401, 'auth'], [404, 'reject'], [413, 'reject']] as const)(
    'a non-JSON HTTP %i (proxy) is %s', async (status, kind) => {
      const c = await answer({ status, body: '<html>proxy</html>' });
      const e = (await c.getRun('r').catch((x: unknown) => x)) as MlflowError;
      expect([e.errorCode, e.kind]).toEqual([undefined, kind]);
      await c.close();
    });

  it('keeps the tracking URI path prefix, sends GET requests as query parameters, Bearer auth, JSON bodies', async () => {
    const c = await answer({ status: 200, body: JSON.stringify({ experiment: { experiment_id: '3', name: 'a b' } }) });
    expect(await c.experimentByName('a b')).toEqual({ experiment_id: '3', name: 'a b' });
    await c.updateRun('r1', 'FINISHED', 5);
    const [get, post] = lb!.bodies;
    expect(get!.path).toBe('/prefix/api/2.0/mlflow/experiments/get-by-name?experiment_name=a+b');
    expect(get!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post!.body.toString())).toEqual({ run_id: 'r1', status: 'FINISHED', end_time: 5 });
    await c.close();
  });

  it('maps RESOURCE_DOES_NOT_EXIST on get-by-name to undefined and ALREADY_EXISTS on create to undefined', async () => {
    let c = await answer(err('RESOURCE_DOES_NOT_EXIST', 404));
    expect(await c.experimentByName('x')).toBeUndefined();
    await c.close();
    await lb!.close();
    c = await answer(err('ALREADY_EXISTS', 409));
    expect(await c.createExperiment('x')).toBeUndefined();
    await c.close();
  });
});
