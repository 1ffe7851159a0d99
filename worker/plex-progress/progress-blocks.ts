// Splits ffmpeg's `-progress` output (key=value lines, each block ended by `progress=…`) into blocks.

/** One complete block of ffmpeg's progress output. */
export type ProgressFields = ReadonlyMap<string, string>;

/** Feeds text chunks in; calls `onBlock` for each finished block. */
export function createProgressSplitter(onBlock: (fields: ProgressFields) => void): (chunk: string) => void {
  let partial = '';
  let fields = new Map<string, string>();
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      fields.set(key, line.slice(eq + 1).trim());
      if (key === 'progress') { onBlock(fields); fields = new Map(); }
    }
  };
}

/** Seconds of output written (`out_time_us`, or ffmpeg's misnamed `out_time_ms`, both µs). */
export function outTimeSeconds(fields: ProgressFields): number | null {
  const us = Number(fields.get('out_time_us') ?? fields.get('out_time_ms') ?? NaN);
  return Number.isFinite(us) && us >= 0 ? us / 1e6 : null;
}

/** Encoding speed (`1.5x` → 1.5), or null when ffmpeg reports N/A. */
export function speedOf(fields: ProgressFields): number | null {
  const s = Number.parseFloat(fields.get('speed') ?? '');
  return Number.isFinite(s) ? s : null;
}
