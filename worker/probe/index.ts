/** The hardware probe: candidates from ffmpeg's lists and the devices present, each confirmed by a real encode. */
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import type { WorkerConfig } from '../../core/config.ts';
import { PlexBeamError } from '../../core/errors.ts';
import { runTestEncode, testEncodeArgs, type Hwaccel, type ProbeWrapper } from './test-encode.ts';

export type { Hwaccel, ProbeWrapper } from './test-encode.ts';

/** Families in `auto` preference order, each with the encoders worth having. */
const FAMILIES: readonly { hwaccel: Hwaccel; encoders: readonly string[] }[] = [
  { hwaccel: 'nvenc', encoders: ['h264_nvenc', 'hevc_nvenc', 'av1_nvenc'] },
  { hwaccel: 'qsv', encoders: ['h264_qsv', 'hevc_qsv', 'av1_qsv'] },
  { hwaccel: 'vaapi', encoders: ['h264_vaapi', 'hevc_vaapi', 'av1_vaapi'] },
  { hwaccel: 'software', encoders: ['libx264', 'libx265'] },
];

export interface ProbeCandidate {
  hwaccel: Hwaccel;
  encoder: string;
  device: string | null;
  verdict: 'ok' | 'rejected';
  /** Why it was rejected (null when ok). */
  reason: string | null;
  /** How long the test encode took, in ms (null when none ran). */
  ms: number | null;
}

export interface HardwareProbe {
  /** The hardware path jobs use. */
  hwaccel: Hwaccel;
  /** Its encoders that passed a test encode. */
  encoders: string[];
  device: string | null;
  requested: WorkerConfig['hwaccel'];
  /** Why this choice, in one sentence. */
  reason: string;
  ffmpeg: { path: string; version: string };
  /** Decoding methods ffmpeg lists (`-hwaccels`), unverified. */
  hwaccels: string[];
  devices: { dri: string[]; nvidia: string[] };
  candidates: ProbeCandidate[];
  ms: number;
}

export interface ProbeOptions {
  config: Pick<WorkerConfig, 'ffmpegPath' | 'hwaccel' | 'vaapiDevice'>;
  /** Per test encode (the first CUDA context can take seconds). */
  timeoutMs?: number;
  /** Where device nodes live (tests point it elsewhere). */
  devDir?: string;
  /** Runs each probe command in the worker's sandbox, with the devices its candidate uses. */
  wrap?: ProbeWrapper;
}

async function run(path: string, args: string[], wrap: ProbeWrapper | undefined): Promise<string> {
  const command = wrap?.(path, args, []) ?? { file: path, args };
  const result = await execa(command.file, command.args, { timeout: 10_000, stdin: 'ignore', maxBuffer: 4 << 20, encoding: 'utf8' });
  return String(result.stdout);
}

function listDevices(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((name) => pattern.test(name)).sort().map((name) => `${dir}/${name}`);
  } catch {
    return [];
  }
}

/** Probes ffmpeg and the machine; throws FFMPEG_FAILED when ffmpeg cannot run at all. */
export async function probeHardware(options: ProbeOptions): Promise<HardwareProbe> {
  const started = performance.now();
  const { ffmpegPath, hwaccel: requested, vaapiDevice } = options.config;
  const devDir = options.devDir ?? '/dev';
  let version: string, encoderList: string, hwaccelList: string;
  try {
    [version, encoderList, hwaccelList] = await Promise.all([
      run(ffmpegPath, ['-hide_banner', '-version'], options.wrap),
      run(ffmpegPath, ['-hide_banner', '-encoders'], options.wrap),
      run(ffmpegPath, ['-hide_banner', '-hwaccels'], options.wrap),
    ]);
  } catch (error) {
    throw new PlexBeamError('FFMPEG_FAILED', `cannot run ffmpeg (${ffmpegPath}): ${(error as Error).message}`, { cause: error });
  }
  const listed = new Set([...encoderList.matchAll(/^\s*[VAS][A-Z.]{5}\s+(\S+)/gm)].map((m) => m[1] as string));
  const devices = { dri: listDevices(`${devDir}/dri`, /^renderD\d+$/), nvidia: listDevices(devDir, /^nvidia(\d+|ctl)$/) };
  const renderNode = vaapiDevice || devices.dri[0] || null;
  // NVENC opens every NVIDIA node (nvidiactl, nvidia0, nvidia-uvm, nvidia-modeset), not only the listed ones; under WSL2 /dev/dxg.
  const nvidiaNodes = listDevices(devDir, /^(nvidia|dxg$)/);
  const families = FAMILIES.filter((f) => requested === 'auto' || f.hwaccel === requested || f.hwaccel === 'software');

  const candidates = await Promise.all(
    families.flatMap((family) =>
      family.encoders.map(async (encoder): Promise<ProbeCandidate> => {
        const device = family.hwaccel === 'vaapi' || family.hwaccel === 'qsv' ? renderNode : family.hwaccel === 'nvenc' ? (devices.nvidia[0] ?? null) : null;
        const base = { hwaccel: family.hwaccel, encoder, device };
        if (!listed.has(encoder)) return { ...base, verdict: 'rejected', reason: 'not in this ffmpeg build (ffmpeg -encoders)', ms: null };
        if (device === null && family.hwaccel !== 'software' && family.hwaccel !== 'nvenc') {
          return { ...base, verdict: 'rejected', reason: `no render node (${devDir}/dri/renderD*)`, ms: null };
        }
        const nodes = family.hwaccel === 'nvenc' ? nvidiaNodes : family.hwaccel === 'software' || device === null ? [] : [device];
        const result = await runTestEncode(ffmpegPath, testEncodeArgs(family.hwaccel, encoder, device), options.timeoutMs ?? 15_000, options.wrap, nodes);
        // NVENC is tried without a /dev/nvidia* node (WSL has none); a failure then says both.
        const noNode = family.hwaccel === 'nvenc' && device === null ? ` (no ${devDir}/nvidia* device)` : '';
        return { ...base, verdict: result.ok ? 'ok' : 'rejected', reason: result.ok ? null : `${result.reason}${noNode}`, ms: result.ms };
      }),
    ),
  );

  const working = (hwaccel: Hwaccel) => candidates.filter((c) => c.hwaccel === hwaccel && c.verdict === 'ok');
  const chosen = families.find((f) => working(f.hwaccel).length > 0)?.hwaccel ?? 'software';
  const encoders = working(chosen).map((c) => c.encoder);
  let reason =
    requested !== 'auto' && requested !== chosen ? `hwaccel "${requested}" was asked for, but none of its encoders passed a test encode; using software`
    : requested === 'software' ? 'hwaccel "software" was asked for'
    : chosen === 'software' ? 'no hardware encoder passed a test encode'
    : `${encoders.join(', ')} passed a test encode`;
  if (encoders.length === 0) reason += '; no software encoder works either (stream copies only)';
  return {
    hwaccel: chosen,
    encoders,
    device: candidates.find((c) => c.hwaccel === chosen && c.verdict === 'ok')?.device ?? null,
    requested,
    reason,
    ffmpeg: { path: ffmpegPath, version: (version.split('\n')[0] ?? '').replace(/^ffmpeg version /, '').split(' ')[0] ?? '' },
    hwaccels: hwaccelList.split('\n').slice(1).map((line) => line.trim()).filter((line) => line !== ''),
    devices,
    candidates,
    ms: Math.round(performance.now() - started),
  };
}
