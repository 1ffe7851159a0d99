/** `plexbeam probe [--json]`: the worker's hardware probe as a report, each candidate with its verdict and reason. */
import { EXIT_OK } from '../../core/errors.ts';
import { probeHardware, type HardwareProbe } from '../../worker/probe/index.ts';
import { loadCommandConfig } from '../context.ts';

/** Probes with the config's ffmpegPath, hwaccel and vaapiDevice; exit 0 whatever it finds (software is a valid result). */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const report = await probeHardware({ config: config.worker });
  process.stdout.write(args.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return EXIT_OK;
}

/** The human-readable report. */
export function formatReport(report: HardwareProbe): string {
  const rows = report.candidates.map((c) => [c.hwaccel, c.encoder, c.device ?? '-', c.verdict, c.reason ?? `ok (${c.ms} ms)`]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] as string).length), ['hwaccel', 'encoder', 'device', 'verdict'][i]?.length ?? 0));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 4 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ').trimEnd();
  return [
    `ffmpeg ${report.ffmpeg.version} (${report.ffmpeg.path}); devices: ${[...report.devices.dri, ...report.devices.nvidia].join(', ') || 'none'}`,
    '',
    line(['hwaccel', 'encoder', 'device', 'verdict', 'reason']),
    ...rows.map(line),
    '',
    `selected: ${report.hwaccel} (${report.encoders.join(', ') || 'no encoder'}) — ${report.reason} [${report.ms} ms]`,
    '',
  ].join('\n');
}
