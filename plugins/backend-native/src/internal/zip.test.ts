import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeZip } from './test-utils/make-zip.js';
import { NotAZipError, extractZipEntry, listZip } from './zip.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-zip-'));
const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));

describe('zip reader', () => {
  it.each([true, false])('lists and extracts deflated=%s entries byte for byte', async (deflate) => {
    const zip = join(dir, `a-${deflate}.zip`);
    makeZip(zip, { 'tensorflow/a.txt': 'hello', 'tensorflow/big.bin': big, 'empty.txt': '' }, deflate);
    const entries = await listZip(zip);
    expect(entries.map((e) => [e.name, e.size])).toEqual([['tensorflow/a.txt', 5], ['tensorflow/big.bin', big.length], ['empty.txt', 0]]);
    for (const e of entries) await extractZipEntry(zip, e, join(dir, `out-${deflate}`, e.name));
    expect(readFileSync(join(dir, `out-${deflate}`, 'tensorflow/a.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(dir, `out-${deflate}`, 'tensorflow/big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(dir, `out-${deflate}`, 'empty.txt')).length).toBe(0);
  });

  it('detects a corrupted entry by its CRC-32 and a file that is no zip', async () => {
    const zip = join(dir, 'bad.zip');
    makeZip(zip, { 'x.bin': big }, false);
    const bytes = readFileSync(zip);
    bytes[30 + 'x.bin'.length + 1000] ^= 0xff;
    writeFileSync(zip, bytes);
    const [entry] = await listZip(zip);
    await expect(extractZipEntry(zip, entry, join(dir, 'bad-out', 'x.bin'))).rejects.toThrow(/CRC/);
    writeFileSync(join(dir, 'plain.txt'), 'not a zip at all');
    await expect(listZip(join(dir, 'plain.txt'))).rejects.toBeInstanceOf(NotAZipError);
  });
});
