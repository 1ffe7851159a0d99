/**
 * SHA-1 of a string's UTF-8 bytes, in plain JavaScript, hex. The cartridge hashes one short
 * pattern per play (core/plex-argv/pattern.ts): node:crypto would cost ~4 ms to load on its
 * start-up path, this costs microseconds. Not for security: ids only. Same digest as node:crypto.
 */

/** The SHA-1 digest of `text` (UTF-8), as 40 lower-case hex characters. */
export function sha1Hex(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  // Padding: 0x80, zeros, then the length in bits as a 64-bit big-endian number.
  const total = (((bytes.length + 8) >> 6) + 1) << 6;
  const block = Buffer.alloc(total);
  bytes.copy(block);
  block[bytes.length] = 0x80;
  const bits = bytes.length * 8;
  block.writeUInt32BE(Math.floor(bits / 0x1_0000_0000), total - 8);
  block.writeUInt32BE(bits >>> 0, total - 4);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Int32Array(80);
  for (let offset = 0; offset < total; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = block.readInt32BE(offset + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let i = 0; i < 80; i++) {
      const [f, k] = i < 20 ? [(b & c) | (~b & d), 0x5a827999] : i < 40 ? [b ^ c ^ d, 0x6ed9eba1] : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
      const t = (((a << 5) | (a >>> 27)) + f + e + k + (w[i] as number)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return [h0, h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
