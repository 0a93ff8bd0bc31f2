import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { Loopback, captureOutput, filesContaining, freePort, killWhen } from './index.js';

describe('@kiln/loggers/testing', () => {
  it('Loopback routes, logs, injects faults and closes hanging requests', async () => {
    const lb = await new Loopback((r) => (r.path === '/no' ? { status: 400, reason: 'refused', body: '{}' } : { status: 200, body: r.body })).listen();
    const call = (path: string, body = 'x') => request(`${lb.url}${path}`, { method: 'POST', body }).then(async (r) => [r.statusCode, await r.body.text()]);
    expect(await call('/echo?q=1', 'hi')).toEqual([200, 'hi']);
    expect(await call('/no')).toEqual([400, '{}']);
    lb.fault = (r) => (r.path === '/drop' ? 'drop' : r.path === '/hang' ? 'hang' : r.path === '/503' ? { status: 503 } : undefined);
    expect(await call('/503')).toEqual([503, '']);
    await expect(call('/drop')).rejects.toThrow();
    const hanging = call('/hang').catch((e: Error) => e);
    while (lb.log.length < 5) await new Promise((r) => setTimeout(r, 5));
    await lb.close();
    expect(await hanging).toBeInstanceOf(Error);
    expect(lb.log).toEqual([
      { method: 'POST', path: '/echo', status: 200 }, { method: 'POST', path: '/no', status: 400, reason: 'refused' },
      { method: 'POST', path: '/503', status: 503 }, { method: 'POST', path: '/drop', status: 'dropped' }, { method: 'POST', path: '/hang', status: 'hang' },
    ]);
    expect(lb.bodies.map((b) => b.body.toString())).toEqual(['hi', 'x', 'x', 'x', 'x']);
  });

  it('freePort gives a port nothing listens on', async () => {
    const port = await freePort();
    await expect(request(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('filesContaining finds a secret raw or in base64, in any file below the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-grep-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'clean.txt'), 'nothing');
    writeFileSync(join(dir, 'a', 'raw.log'), 'key=sk-123456');
    writeFileSync(join(dir, 'a', 'b', 'b64.json'), Buffer.from(`api:sk-123456`).toString('base64'));
    expect(filesContaining(dir, 'sk-123456').map((p) => p.slice(dir.length))).toEqual(['/a/raw.log']);
    expect(filesContaining(dir, ['sk-123456', 'api:sk-123456']).map((p) => p.slice(dir.length)).sort()).toEqual(['/a/b/b64.json', '/a/raw.log']);
  });

  it('captureOutput records stdout and stderr while the function runs, and restores them', async () => {
    const before = process.stdout.write;
    const { result, output } = await captureOutput(async () => {
      process.stdout.write('out-line\n');
      process.stderr.write(Buffer.from('err-line\n'));
      return 42;
    });
    expect(result).toBe(42);
    expect(output).toBe('out-line\nerr-line\n');
    expect(process.stdout.write).toBe(before);
  });

  it('killWhen SIGKILLs a child once its output says so, or lets it exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-kill-'));
    writeFileSync(join(dir, 'forever.mjs'), 'for (let i = 0; ; i++) { process.stdout.write(`n ${i}\\n`); await new Promise((r) => setTimeout(r, 2)); }\n');
    writeFileSync(join(dir, 'quits.mjs'), 'console.error(process.env.GREETING); process.exit(3);\n');
    const killed = await killWhen(join(dir, 'forever.mjs'), [], process.env, (out) => out.includes('n 20\n'));
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.output).toMatch(/^n 0\nn 1\n[^]*n 20\n/);
    const quit = await killWhen(join(dir, 'quits.mjs'), [], { ...process.env, GREETING: 'hi' }, () => false);
    expect(quit).toEqual({ output: 'hi\n', signal: null });
  });
});
