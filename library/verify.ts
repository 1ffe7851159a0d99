/**
 * Checks an encode before it may replace the original: the same duration (within 0.5 s), the same
 * streams (every audio, subtitle and attachment, in order, same codec and language; video now in
 * the target codec), the same chapters, and a full decode pass without one error.
 */
import type { LibraryCodec, LibraryStream } from '../core/session-log/library-store.ts';
import { probeMedia, runTool, tools, type MediaReport } from './ffprobe.ts';

/** Largest accepted difference in duration, seconds. */
export const DURATION_TOLERANCE_S = 0.5;

/** How a stream is compared: its type, and for streams that are copied, codec, language and channels. */
function describeStream(stream: LibraryStream): string {
  if (stream.type === 'video') return 'video';
  return [stream.type, stream.codec ?? '?', stream.language ?? '', stream.channels === null ? '' : `${stream.channels}ch`].filter((p) => p !== '').join(' ');
}

/** What differs between the original's and the encode's reports, in words; empty when they match. */
export function compareReports(original: MediaReport, encoded: MediaReport, codec: LibraryCodec): string[] {
  const problems: string[] = [];
  if (original.durationS === null || encoded.durationS === null) problems.push('a duration is unknown');
  else if (Math.abs(original.durationS - encoded.durationS) > DURATION_TOLERANCE_S) {
    problems.push(`duration ${encoded.durationS.toFixed(2)} s instead of ${original.durationS.toFixed(2)} s`);
  }
  const before = original.streams.map(describeStream);
  const after = encoded.streams.map(describeStream);
  if (before.join('|') !== after.join('|')) problems.push(`streams [${after.join(', ')}] instead of [${before.join(', ')}]`);
  const videos = encoded.streams.filter((s) => s.type === 'video');
  const main = encoded.video;
  if (main === null || videos.length === 0) problems.push('no video stream');
  else if (main.codec !== codec) problems.push(`video is ${main.codec}, not ${codec}`);
  if (original.chapters.length !== encoded.chapters.length) {
    problems.push(`${encoded.chapters.length} chapters instead of ${original.chapters.length}`);
  } else if (original.chapters.some((start, i) => Math.abs(start - (encoded.chapters[i] ?? 0)) > DURATION_TOLERANCE_S)) {
    problems.push('chapter start times differ');
  }
  return problems;
}

/** Decodes every video and audio stream of `path` (`ffmpeg -v error … -f null -`); the errors it printed, or null when none. */
export async function decodeErrors(path: string, signal?: AbortSignal): Promise<string | null> {
  const run = await runTool(tools.ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', '-i', path, '-map', '0:v?', '-map', '0:a?', '-f', 'null', '-'], signal);
  // The null muxer's own complaints (about the timestamps it is handed, e.g. B-frames of some
  // HEVC streams) say nothing about decoding: left out.
  const text = run.stderr.split('\n').filter((line) => !line.startsWith('[null @')).join('\n').trim();
  if (run.code === 0 && text === '') return null;
  return text === '' ? `ffmpeg exit ${run.code}` : text.split('\n').slice(-3).join(' / ');
}

/** The verdict on an encode: null when it may replace the original, else why not. */
export async function verifyEncode(originalPath: string, encodedPath: string, codec: LibraryCodec, signal?: AbortSignal): Promise<string | null> {
  let original: MediaReport;
  let encoded: MediaReport;
  try {
    [original, encoded] = await Promise.all([probeMedia(originalPath, signal), probeMedia(encodedPath, signal)]);
  } catch (error) {
    return (error as Error).message;
  }
  const problems = compareReports(original, encoded, codec);
  if (problems.length > 0) return problems.join('; ');
  const errors = await decodeErrors(encodedPath, signal);
  return errors === null ? null : `the decode pass failed: ${errors}`;
}
