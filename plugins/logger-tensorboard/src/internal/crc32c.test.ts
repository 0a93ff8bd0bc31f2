import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from './crc32c.js';

describe('CRC-32C', () => {
  it('matches the published test vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720
    const rustboard = new Uint8Array([0x1a, 0x11, ...new TextEncoder().encode('CRC test, one two')]);
    expect(maskedCrc32c(rustboard)).toBe(0x5794d08a); // masked, from a real TF file
  });
});
