/** Which encoder family an output codec needs: one rule for the cartridge's choice and analyze's feasibility. */

/** The encoder family a worker needs for an output codec (`copy` and none need no encoder). */
export function codecFamily(codec: string | null | undefined): string | null {
  if (!codec || codec === 'copy') return null;
  const c = codec.toLowerCase();
  if (/264|avc/.test(c)) return 'h264';
  if (/265|hevc/.test(c)) return 'hevc';
  if (/av1/.test(c)) return 'av1';
  if (/vp9/.test(c)) return 'vp9';
  if (/mpeg4|xvid/.test(c)) return 'mpeg4';
  return c;
}

/** True when `encoders` can produce `codec` (in software or on the worker's hardware). */
export function canEncode(encoders: readonly string[], codec: string | null | undefined): boolean {
  const family = codecFamily(codec);
  if (family === null) return true;
  return encoders.some((encoder) => codecFamily(encoder) === family);
}
