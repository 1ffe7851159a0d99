/** `plexbeam demo`'s report: the lines a user reads, and the `--json` body. */
import type { DemoResult } from './run-demo.ts';

/** `3.4×`: one decimal, the multiplication sign. */
export function formatSpeed(speed: number): string {
  return `${speed.toFixed(1)}×`;
}

/** The result as text, one fact a line. */
export function formatDemo(result: DemoResult): string {
  const lines: string[] = [];
  const { worker, transcode } = result;
  if (worker !== null) {
    const confinement = worker.confinement === null ? '' : `, ffmpeg ${worker.confinement === 'unconfined' ? 'UNCONFINED' : `confined (${worker.confinement})`}`;
    lines.push(`worker: ${worker.name} at ${worker.url} (pid ${worker.pid}), hardware ${worker.hwaccel}${worker.encoders.length > 0 ? ` (${worker.encoders.join(', ')})` : ''}${confinement}`);
  }
  if (result.encoder !== null) lines.push(`encoder: ${result.encoder}`);
  if (transcode !== null) {
    // Times and speed only for a transcode that ran to its end: a cut-short one has none worth reading.
    if (transcode.ok && transcode.firstSegmentMs !== null) lines.push(`first segment in ${transcode.firstSegmentMs} ms`);
    const probe = transcode.probe;
    const readable = probe === null ? '' : probe.ok ? `, ${probe.name} reads back (${probe.codecs.join(' + ')})` : `, ${probe.name} does NOT read back: ${probe.error}`;
    lines.push(`${transcode.segments.length} segments written${readable}`);
    const c = transcode.callbacks;
    lines.push(`callbacks relayed to Plex: ${c.progress + c.segmentList + c.other} (${c.progress} progress, ${c.segmentList} segment list${c.other > 0 ? `, ${c.other} other` : ''})`);
    if (transcode.ok) lines.push(`speed ${formatSpeed(transcode.speed)} realtime (${(transcode.wallMs / 1000).toFixed(1)} s for the clip, start to exit)`);
  }
  lines.push(result.cleanedUp ? 'cleaned up: every process stopped, temp folder removed' : `WARNING: could not remove ${result.tempDir}`);
  if (!result.ok) lines.push(`demo FAILED: ${result.error ?? 'unknown reason'}`);
  else lines.push('demo ok: Plex would have played this from the worker');
  return `${lines.join('\n')}\n`;
}
