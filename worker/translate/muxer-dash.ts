// Plex's DASH muxer options: emulate manifest delivery, numbering after a seek and kept segments.
import { posix } from 'node:path';
import { lastValue, removeOptions, setOption, type FileArgs } from './argv-model.ts';
import type { DashPublishDesc, Dropped } from './types.ts';

const PRIVATE: Record<string, string> = {
  manifest_name: 'Plex-only; the publisher delivers the manifest to this URL',
  skip_to_segment: 'Plex-only; the publisher renumbers chunks from this number and patches their tfdt',
  delete_removed: 'Plex-only; stock keeps old chunks via -extra_window_size',
  time_delta: 'Plex-only segment-time approximation; stock cuts on keyframes at seg_duration',
  break_non_keyframes: 'not a stock dashenc option',
};

/** Rewrites one DASH output to write into a staging folder; returns what to publish. */
export function translateDashOutput(out: FileArgs, stageId: string, seekOffset: number, rehome: (url: string) => string, dropped: Dropped[]): DashPublishDesc {
  const manifestUrl = lastValue(out.options, ['manifest_name']);
  const skip = Number(lastValue(out.options, ['skip_to_segment']) ?? '1');
  const deleteRemoved = lastValue(out.options, ['delete_removed']);
  for (const o of removeOptions(out.options, (o) => o.name in PRIVATE)) {
    dropped.push({ option: `-${o.name}`, value: o.value, reason: PRIVATE[o.name] ?? '' });
  }
  // Chunks leave the stage as soon as they are published; stock must not try to delete them.
  if (deleteRemoved === undefined || /^(0|false)$/i.test(deleteRemoved)) setOption(out.options, 'extra_window_size', null, '100000');
  const stageDir = posix.join(posix.dirname(out.url), `.plexbeam-stage-${stageId}`);
  const manifestName = posix.basename(out.url);
  const localManifest = manifestUrl === undefined ? out.url : null;
  out.url = posix.join(stageDir, manifestName);
  return {
    kind: 'dash',
    stageDir,
    manifestName,
    manifestUrl: manifestUrl === undefined ? null : rehome(manifestUrl),
    localManifest,
    firstNumber: Number.isFinite(skip) && skip > 0 ? skip : 1,
    seekOffset,
    initTemplate: lastValue(out.options, ['init_seg_name']) ?? 'init-stream$RepresentationID$.$ext$',
    mediaTemplate: lastValue(out.options, ['media_seg_name']) ?? 'chunk-stream$RepresentationID$-$Number%05d$.$ext$',
  };
}
