/** Notices the first segment a transcode writes (the session log's "first segment" time). */
import type { FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { PlexInvocation } from '../core/plex-argv/index.ts';
import { nodeFs } from '../core/builtins.ts';

/** A file name pattern for segment names: `media-%05d.ts` → /^media-\d{5,}\.ts$/. */
export function segmentNamePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/%0?(\d*)d/g, (_m, width: string) => (width ? `\\d{${Number(width)},}` : '\\d+'))}$`);
}

/**
 * Watches the folder of a segmenting output (HLS segments, DASH chunks) and calls `onFirst` once,
 * when the first segment file appears. Returns a stop function (a no-op for other outputs, or
 * when the folder cannot be watched: the time then comes from the worker's link alone).
 */
export function watchFirstSegment(inv: PlexInvocation, cwd: string, onFirst: () => void): () => void {
  const output = inv.outputs.find((o) => !o.isNullSink);
  if (output === undefined || inv.segments === null || /^[a-z][a-z0-9+.-]*:/i.test(output.target)) return () => undefined;
  const target = resolve(cwd, output.target);
  const name = basename(target);
  const pattern = inv.protocol === 'dash' ? /\.(m4s|mp4|webm|m4a|m4v)$|^chunk-/ : segmentNamePattern(name);
  let watcher: FSWatcher | undefined;
  const stop = () => watcher?.close();
  try {
    watcher = nodeFs().watch(dirname(target), { persistent: false }, (_event, file) => {
      if (file === null || !pattern.test(String(file))) return;
      stop();
      onFirst();
    });
    watcher.on('error', stop);
  } catch {
    return () => undefined;
  }
  return stop;
}
