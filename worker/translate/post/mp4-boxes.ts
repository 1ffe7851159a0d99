// Shifts the fragment times of a fragmented-MP4 media segment (tfdt and sidx) in place.

/** Reads a 64-bit unsigned value as a number (exact below 2^53). */
const read64 = (b: Buffer, at: number): number => Number(b.readBigUInt64BE(at));

/**
 * Adds `offset` (in the track's timescale) to every `moof/traf/tfdt` base decode time and every
 * top-level `sidx` earliest presentation time. Stock dashenc starts them at 0 after a seek,
 * where Plex's dashenc writes the real position; MSE players place chunks by these values.
 * Throws when a 32-bit field would overflow (the box cannot grow without moving the mdat).
 */
export function shiftFragmentTimes(buf: Buffer, offset: number): void {
  if (offset === 0) return;
  walk(buf, 0, buf.length, offset);
}

function walk(buf: Buffer, from: number, to: number, offset: number): void {
  let at = from;
  while (at + 8 <= to) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let header = 8;
    if (size === 1) { size = read64(buf, at + 8); header = 16; }
    else if (size === 0) size = to - at;
    if (size < header || at + size > to) return;
    if (type === 'moof' || type === 'traf') walk(buf, at + header, at + size, offset);
    else if (type === 'tfdt') shiftField(buf, at + header, 4, offset);
    else if (type === 'sidx') shiftField(buf, at + header, 12, offset);
    at += size;
  }
}

/** Shifts the version-sized time field found `skip` bytes after a full box's version byte. */
function shiftField(buf: Buffer, fullBoxAt: number, skip: number, offset: number): void {
  const version = buf.readUInt8(fullBoxAt);
  const at = fullBoxAt + skip;
  if (version === 1) {
    buf.writeBigUInt64BE(BigInt(read64(buf, at) + offset), at);
    return;
  }
  const value = buf.readUInt32BE(at) + offset;
  if (value > 0xffffffff || value < 0) throw new Error('fragment time overflows a 32-bit box field');
  buf.writeUInt32BE(value, at);
}

/** Decode time (tfdt) and composition offset of the first sample of the first track fragment. */
export function firstSampleTiming(buf: Buffer): { tfdt: number; cto: number } | null {
  let tfdt: number | null = null;
  let cto = 0;
  const visit = (from: number, to: number): void => {
    let at = from;
    while (at + 8 <= to) {
      const size = buf.readUInt32BE(at);
      const type = buf.toString('latin1', at + 4, at + 8);
      if (size < 8 || at + size > to) return;
      if (type === 'moof' || type === 'traf') visit(at + 8, at + size);
      else if (type === 'tfdt' && tfdt === null) tfdt = buf.readUInt8(at + 8) === 1 ? read64(buf, at + 12) : buf.readUInt32BE(at + 12);
      else if (type === 'trun' && tfdt !== null) { cto = trunFirstCto(buf, at + 8); return; }
      at += size;
    }
  };
  visit(0, buf.length);
  return tfdt === null ? null : { tfdt, cto };
}

/** The first sample's composition time offset in a trun full box (0 when absent). */
function trunFirstCto(buf: Buffer, at: number): number {
  const version = buf.readUInt8(at);
  const flags = buf.readUIntBE(at + 1, 3);
  if (!(flags & 0x800) || buf.readUInt32BE(at + 4) === 0) return 0;
  let p = at + 8 + (flags & 0x1 ? 4 : 0) + (flags & 0x4 ? 4 : 0);
  p += (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0);
  return version === 1 ? buf.readInt32BE(p) : buf.readUInt32BE(p);
}
