/** One real one-frame test encode per candidate encoder: what ffmpeg lists is not what the machine can do. */
import { execa } from 'execa';

export type Hwaccel = 'nvenc' | 'qsv' | 'vaapi' | 'software';

/** The worker's own test source (lavfi is refused to clients, not to the worker itself). */
const SOURCE = ['-f', 'lavfi', '-i', 'testsrc2=s=256x144:d=0.1'];

/** The arguments of a test encode with `encoder` on `device` (a render node for VAAPI/QSV). */
export function testEncodeArgs(hwaccel: Hwaccel, encoder: string, device: string | null): string[] {
  const head = ['-hide_banner', '-nostdin', '-v', 'error'];
  const tail = ['-frames:v', '1', '-c:v', encoder, '-f', 'null', '-'];
  switch (hwaccel) {
    case 'vaapi':
      return [...head, '-init_hw_device', `vaapi=va:${device}`, '-filter_hw_device', 'va', ...SOURCE, '-vf', 'format=nv12,hwupload', ...tail];
    case 'qsv':
      return [
        ...head, '-init_hw_device', `vaapi=va:${device}`, '-init_hw_device', 'qsv=qs@va', '-filter_hw_device', 'qs',
        ...SOURCE, '-vf', 'format=nv12,hwupload=extra_hw_frames=64', ...tail,
      ];
    default:
      return [...head, ...SOURCE, ...tail];
  }
}

/** Lines that only say "it failed", not why. */
const GENERIC = /^(Error initializing output stream|Error while opening encoder|Conversion failed|Error parsing global options|Failed to set value|Error reinitializing filters|Failed to inject frame|Error while processing the decoded data)/;

/** The first stderr line that explains a failure, without ffmpeg's `[encoder @ 0x…]` prefix. */
export function explainFailure(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((line) => line !== '');
  return lines.find((line) => !GENERIC.test(line)) ?? lines[0] ?? 'failed without a message';
}

export interface TestEncodeResult {
  ok: boolean;
  reason: string | null;
  ms: number;
}

/** Wraps a probe command in the sandbox, with the device nodes that candidate uses; identity when absent. */
export type ProbeWrapper = (file: string, args: readonly string[], devices: readonly string[]) => { file: string; args: string[] };

/** Runs the test encode (no shell, killed after `timeoutMs`), inside `wrap`'s sandbox with `devices`. */
export async function runTestEncode(ffmpegPath: string, args: readonly string[], timeoutMs: number, wrap?: ProbeWrapper, devices: readonly string[] = []): Promise<TestEncodeResult> {
  const started = performance.now();
  const command = wrap?.(ffmpegPath, args, devices) ?? { file: ffmpegPath, args: [...args] };
  const result = await execa(command.file, command.args, { timeout: timeoutMs, killSignal: 'SIGKILL', stdin: 'ignore', reject: false, maxBuffer: 1 << 20, encoding: 'utf8' });
  const ms = Math.round(performance.now() - started);
  if (result.exitCode === 0) return { ok: true, reason: null, ms };
  return { ok: false, reason: result.timedOut ? `no answer within ${timeoutMs} ms` : explainFailure(String(result.stderr ?? '') || (result.shortMessage ?? 'failed without a message')), ms };
}
