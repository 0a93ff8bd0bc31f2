import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotRunFiles } from './run-files.js';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'kiln-runfiles-'));
  const runDir = join(root, 'run');
  const outboxDir = join(runDir, 'outbox', 'sink');
  mkdirSync(join(runDir, 'checkpoints', 'best', 'sub'), { recursive: true });
  writeFileSync(join(runDir, 'checkpoints', 'best', 'weights.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(join(runDir, 'checkpoints', 'best', 'model.json'), '{"v":1}');
  writeFileSync(join(runDir, 'checkpoints', 'best', 'sub', 'x.txt'), 'x');
  writeFileSync(join(root, 'outside.txt'), 'out');
  return { root, runDir, outboxDir };
}

describe('snapshotRunFiles', () => {
  it('names files relative to the run dir, in name order, under one id', () => {
    const { runDir, outboxDir } = setup();
    const files = [...snapshotRunFiles(join(runDir, 'checkpoints', 'best'), runDir, outboxDir)];
    expect(files.map((f) => f.name)).toEqual(['checkpoints/best/model.json', 'checkpoints/best/sub/x.txt', 'checkpoints/best/weights.bin']);
    const id = files[0]!.id;
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(files.every((f) => f.id === id && f.blob === `blobs/${id}/${f.name}`)).toBe(true);
    expect(readFileSync(join(outboxDir, files[2]!.blob))).toEqual(Buffer.from([1, 2, 3]));
  });

  it('a file outside the run dir keeps its basename; each call gets its own id', () => {
    const { root, runDir, outboxDir } = setup();
    const [a] = [...snapshotRunFiles(join(root, 'outside.txt'), runDir, outboxDir)];
    const [b] = [...snapshotRunFiles(join(root, 'outside.txt'), runDir, outboxDir)];
    expect([a!.name, b!.name]).toEqual(['outside.txt', 'outside.txt']);
    expect(a!.id).not.toBe(b!.id);
  });

  it('keeps the bytes of the moment it was logged, even when the file is replaced or deleted later', () => {
    const { runDir, outboxDir } = setup();
    const path = join(runDir, 'checkpoints', 'best', 'weights.bin');
    const [snap] = [...snapshotRunFiles(path, runDir, outboxDir)];
    writeFileSync(`${path}.new`, Buffer.from([9, 9]));
    renameSync(`${path}.new`, path); // how checkpoints are replaced
    expect(readFileSync(join(outboxDir, snap!.blob))).toEqual(Buffer.from([1, 2, 3]));
    rmSync(join(runDir, 'checkpoints'), { recursive: true });
    expect(readFileSync(join(outboxDir, snap!.blob))).toEqual(Buffer.from([1, 2, 3]));
  });

  it('snapshots lazily, one file per step, and throws for a missing path', () => {
    const { runDir, outboxDir } = setup();
    const it = snapshotRunFiles(join(runDir, 'checkpoints'), runDir, outboxDir);
    const first = it.next().value!;
    expect(() => readFileSync(join(outboxDir, `blobs/${first.id}/checkpoints/best/sub/x.txt`))).toThrow(/ENOENT/);
    expect([...it]).toHaveLength(2);
    expect(() => [...snapshotRunFiles(join(runDir, 'nope'), runDir, outboxDir)]).toThrow(/no such file/);
  });
});
