/**
 * A stand-in `Plex Transcoder.real` that speaks Plex's argv, for the failover tests' local resumes:
 * stock ffmpeg cannot run Plex's own options (`-skip_to_segment`, `-manifest_name`,
 * `-progressurl`, `eae`), so this runs what a worker runs for the same argv: the worker's
 * translation (software backend), its Plex emulation (the publishers that number segments from
 * `-segment_start_number`/`-skip_to_segment`, write the header or init under the argv's name,
 * and deliver the CSV list or the DASH manifest to Plex's URL) and stock ffmpeg. Each run is
 * logged to $PLEXBEAM_FAKE_REAL_LOG as the stock stand-in logs it (harness readFakeRealCalls).
 * Usage: `node failover-plex-transcoder.ts <Plex's argv>`; exits as ffmpeg did.
 */
import { appendFileSync } from 'node:fs';
import { createLogger } from '../../core/log.ts';
import { runFfmpeg } from '../../worker/ffmpeg.ts';
import { probeInputs } from '../../worker/input-probe.ts';
import { startPlexEmulation } from '../../worker/plex-emulation.ts';
import { translate } from '../../worker/translate/index.ts';
import { fetchRequest } from '../../worker/translate/post/http-request.ts';

const argv = process.argv.slice(2);
const logPath = process.env.PLEXBEAM_FAKE_REAL_LOG;
const record = (entry: Record<string, unknown>) => {
  if (logPath) appendFileSync(logPath, `${JSON.stringify({ ...entry, pid: process.pid, time: new Date().toISOString() })}\n`);
};
record({ argv, env: {}, cwd: process.cwd(), ppid: process.ppid, program: process.argv[1], mode: 'emulator' });

const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => controller.abort());
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
const cwd = process.cwd();
const log = await createLogger({ name: 'plex-transcoder-stand-in', config: { logLevel: 'silent', logFiles: false, logDir: '/tmp' } });
const facts = await probeInputs(argv.filter((_, i) => argv[i - 1] === '-i'), { ffprobePath: 'ffprobe', cwd, env, signal: controller.signal });
const translation = translate(argv, { backend: 'software', encoders: [], inputs: facts });
const plex = startPlexEmulation({ translation, cwd, inputs: facts, request: fetchRequest, signal: controller.signal, log, intervalMs: 50 });
let stderr = '';
const exit = await runFfmpeg({
  path: 'ffmpeg', argv: translation.argv, cwd, env, signal: controller.signal, forceKillAfterMs: 1000,
  onSpawn: (pid) => plex.spawned(pid),
  onStderr: (text) => (stderr += text),
  onProgressData: (text) => plex.progress(text),
  onProgress: () => undefined,
});
const warnings = await plex.finish();
record({ ffmpegExit: { code: exit.code, signal: exit.signal } });
if (exit.code !== 0) process.stderr.write(`plex-transcoder stand-in: ffmpeg ${translation.argv.join(' ')}\n${stderr.slice(-3000)}\n`);
if (warnings.length > 0) process.stderr.write(`plex-transcoder stand-in: ${warnings.join('; ')}\n`);
process.exit(exit.code ?? 1);
