// Runs a translated job the way the worker does: publishers first, then stock ffmpeg in the session.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { applyPostProcess, type PublishReport, type RequestFn } from '../../../worker/translate/post/index.ts';
import type { ProbedInput, TranslateResult } from '../../../worker/translate/types.ts';

/** What a run produced. */
export interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  reports: PublishReport[];
}

/** Runs `result` in `cwd`; `onStdout` sees ffmpeg's -progress output as it arrives. */
export async function runTranslated(result: TranslateResult, cwd: string, request: RequestFn,
  onStdout?: (chunk: string) => void): Promise<RunOutcome> {
  const controller = new AbortController();
  const posts = result.postProcess.map((d) => applyPostProcess(d, { cwd, signal: controller.signal, request, intervalMs: 100 }));
  const child = spawn('ffmpeg', result.argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; onStdout?.(c); });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const reports = await Promise.all(posts.map((p) => p.finish()));
  return { code, stdout, stderr, reports };
}

/** ffprobe facts of each input, as the worker passes them to the translation. */
export function probeInputs(paths: readonly string[]): ProbedInput[] {
  return paths.map((p) => {
    if (/^https?:/.test(p)) return { streams: [] };
    const json = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', p], { encoding: 'utf8' })) as {
      streams: ProbedInput['streams'];
      format?: { duration?: string };
    };
    return { streams: json.streams, duration: Number(json.format?.duration ?? NaN) };
  });
}

/** ffprobe of a file or of stdin bytes: streams and packet count, or an error message. */
export function ffprobe(pathOrData: string | Buffer): { streams: { codec_name: string; codec_type: string }[]; packets: number } {
  const fromStdin = typeof pathOrData !== 'string';
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-count_packets', '-of', 'json', fromStdin ? '-' : pathOrData],
    { encoding: 'utf8', ...(fromStdin ? { input: pathOrData } : {}) });
  const json = JSON.parse(out) as { streams: { codec_name: string; codec_type: string; nb_read_packets?: string }[] };
  return { streams: json.streams, packets: json.streams.reduce((n, s) => n + Number(s.nb_read_packets ?? 0), 0) };
}
