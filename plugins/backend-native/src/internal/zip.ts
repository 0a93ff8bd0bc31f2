import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, crc32 } from 'node:zlib';

/** One file of a zip archive (as listed by its central directory). */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localOffset: number;
}

/** Thrown for anything that is not a readable zip; the caller turns it into a coded error. */
export class NotAZipError extends Error {}

const u16 = (b: Buffer, o: number): number => b.readUInt16LE(o);
const u32 = (b: Buffer, o: number): number => b.readUInt32LE(o);
const u64 = (b: Buffer, o: number): number => Number(b.readBigUInt64LE(o));

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Lists a zip file's entries from its central directory (ZIP64 included), reading only the tail
 * and the directory, so a 300 MB wheel is listed in milliseconds.
 * @example const entries = await listZip('tensorflow_cpu-2.21.0-….whl'); entries.find((e) => e.name.endsWith('c_api.h'))
 */
export async function listZip(path: string): Promise<ZipEntry[]> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  await fh.close();
  const tailLen = Math.min(size, 65_557);
  const tail = await readAt(path, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (u32(tail, i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new NotAZipError('no zip end-of-central-directory record');
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && u32(tail, eocd - 20) === 0x07064b50) {
    const rec = await readAt(path, u64(tail, eocd - 20 + 8), 56);
    if (u32(rec, 0) !== 0x06064b50) throw new NotAZipError('broken ZIP64 end-of-central-directory record');
    [count, cdSize, cdOffset] = [u64(rec, 32), u64(rec, 40), u64(rec, 48)];
  }
  const cd = await readAt(path, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || u32(cd, p) !== 0x02014b50) throw new NotAZipError(`broken central directory at entry ${i}`);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    let [compressedSize, size2, localOffset] = [u32(cd, p + 20), u32(cd, p + 24), u32(cd, p + 42)];
    // ZIP64 extra field: the 64-bit values appear in this order, only for fields that overflowed.
    for (let x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; x += 4 + u16(cd, x + 2)) {
      if (u16(cd, x) !== 0x0001) continue;
      let q = x + 4;
      if (size2 === 0xffffffff) { size2 = u64(cd, q); q += 8; }
      if (compressedSize === 0xffffffff) { compressedSize = u64(cd, q); q += 8; }
      if (localOffset === 0xffffffff) localOffset = u64(cd, q);
    }
    entries.push({ name, method: u16(cd, p + 10), compressedSize, size: size2, crc: u32(cd, p + 16), localOffset });
    p += 46 + nameLen + extraLen + u16(cd, p + 32);
  }
  return entries;
}

/**
 * Extracts one entry to `dest` (stored or deflated), streaming through node:zlib and checking
 * the size and CRC-32 against the central directory.
 * @example await extractZipEntry(wheel, entry, 'deps/lib/libtensorflow_cc.so.2')
 */
export async function extractZipEntry(path: string, entry: ZipEntry, dest: string): Promise<void> {
  if (entry.method !== 0 && entry.method !== 8) throw new NotAZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  const local = await readAt(path, entry.localOffset, 30);
  if (local.length < 30 || u32(local, 0) !== 0x04034b50) throw new NotAZipError(`${entry.name}: broken local header`);
  const start = entry.localOffset + 30 + u16(local, 26) + u16(local, 28);
  await mkdir(dirname(dest), { recursive: true });
  let crc = 0;
  let bytes = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      crc = crc32(chunk, crc);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  if (entry.compressedSize === 0) {
    await writeFile(dest, Buffer.alloc(0));
  } else {
    const source = createReadStream(path, { start, end: start + entry.compressedSize - 1, highWaterMark: 1 << 20 });
    if (entry.method === 8) await pipeline(source, createInflateRaw(), check, createWriteStream(dest));
    else await pipeline(source, check, createWriteStream(dest));
  }
  if (bytes !== entry.size || (crc >>> 0) !== entry.crc) {
    throw new NotAZipError(`${entry.name}: extracted ${bytes} bytes with CRC ${crc >>> 0}, expected ${entry.size} bytes with CRC ${entry.crc} (file truncated or corrupt)`);
  }
}
