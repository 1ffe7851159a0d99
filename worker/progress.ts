/** Parses ffmpeg's `-progress` output: blocks of `key=value` lines, each ended by `progress=continue|end`. */

export interface ProgressBlock {
  /** Output position in seconds (null until ffmpeg knows it). */
  out_time_s: number | null;
  /** Encoding speed as a multiple of real time (`1.5x` → 1.5). */
  speed: number | null;
  fps: number | null;
  frame: number | null;
  /** Bytes written so far. */
  total_size: number | null;
  /** True on the last block (`progress=end`). */
  end: boolean;
}

const number = (value: string | undefined): number | null => {
  if (value === undefined) return null;
  const parsed = Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
};

/** Turns one block's fields into a ProgressBlock. */
export function toProgressBlock(fields: ReadonlyMap<string, string>): ProgressBlock {
  // out_time_us is microseconds; out_time_ms is too (an old ffmpeg misnomer), so prefer _us.
  const micros = number(fields.get('out_time_us') ?? fields.get('out_time_ms'));
  return {
    out_time_s: micros === null || micros < 0 ? null : micros / 1e6,
    speed: number(fields.get('speed')?.replace(/x$/, '')),
    fps: number(fields.get('fps')),
    frame: number(fields.get('frame')),
    total_size: number(fields.get('total_size')),
    end: fields.get('progress') === 'end',
  };
}

/** Returns a function to feed raw chunks; `onBlock` is called once per complete block. */
export function createProgressParser(onBlock: (block: ProgressBlock) => void): (chunk: Buffer | string) => void {
  let partial = '';
  let fields = new Map<string, string>();
  return (chunk) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const key = line.slice(0, equals).trim();
      fields.set(key, line.slice(equals + 1).trim());
      if (key === 'progress') {
        onBlock(toProgressBlock(fields));
        fields = new Map();
      }
    }
  };
}
