import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomic, writeJsonAtomicSync } from '../json-file.js';
import { Outbox } from '../outbox/outbox.js';
import { CallGuard } from './call-guard.js';
import { scrubSecrets } from './scrub.js';

describe('scrubSecrets', () => {
  it('replaces secrets in strings, deeply in arrays and plain objects, without touching the input', () => {
    const input = { a: 'x tok1 y tok1', list: ['tok2', 3, { b: 'tok1tok2' }], d: new Date(0), n: null };
    const out = scrubSecrets(input, ['tok1', 'tok2', '']);
    expect(out).toEqual({ a: 'x *** y ***', list: ['***', 3, { b: '******' }], d: new Date(0), n: null });
    expect(input.a).toBe('x tok1 y tok1');
    expect(scrubSecrets('no secrets here', [])).toBe('no secrets here');
  });
});

describe('CallGuard', () => {
  it('never lets a call throw, reports each distinct failure once, scrubbed', () => {
    const said: string[] = [];
    const guard = new CallGuard('Sink', (m) => void said.push(m), ['hunter2']);
    for (let i = 0; i < 3; i++) guard.run('logImage', () => { throw new Error('bad pixels for hunter2'); });
    guard.run('logText', () => { throw 'a string'; }); // eslint-disable-line no-throw-literal
    let ran = false;
    guard.run('logMetrics', () => { ran = true; });
    guard.once('hello');
    guard.once('hello');
    expect(ran).toBe(true);
    expect(said).toEqual(['Sink: logImage failed: bad pixels for ***', 'Sink: logText failed: a string', 'hello']);
  });

  it('appends to an outbox and reports a failed append once', async () => {
    const said: string[] = [];
    const guard = new CallGuard('Sink', (m) => void said.push(m));
    const box = await Outbox.open(join(mkdtempSync(join(tmpdir(), 'kiln-guard-')), 'outbox', 's'));
    guard.append(box, 'm', 'a', 1);
    expect(box.pending().map((r) => r.key)).toEqual(['a']);
    await box.close();
    guard.append(box, 'm', 'b', 2);
    guard.append(box, 'm', 'c', 3);
    expect(said).toEqual(['Sink outbox: append after close()']);
  });
});

describe('writeJsonAtomic', () => {
  it('replaces the file whole and leaves no temporary file, sync and async', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-json-'));
    const path = join(dir, 'state.json');
    writeJsonAtomicSync(path, { v: 1 });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 1 });
    await writeJsonAtomic(path, { v: 2, list: [1, 2] });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 2, list: [1, 2] });
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});
