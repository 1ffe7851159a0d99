/** On a machine that runs plexbeam-worker: its own `worker` config and ffmpeg. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { WorkerConfig } from '../../core/config.ts';
import { fail, pass, type Check } from './check.ts';

/** `worker-config` (API key, roots set and present) and `ffmpeg` (it runs). */
export async function checkLocalWorker(worker: WorkerConfig, configPath: string): Promise<Check[]> {
  const problems: string[] = [];
  if (worker.apiKey === '') problems.push(`worker.apiKey is empty: anyone who reaches port ${worker.port} can run ffmpeg here`);
  if (worker.mediaRoots.length === 0) problems.push('worker.mediaRoots is empty: every job is refused (403)');
  if (worker.transcodeRoots.length === 0) problems.push('worker.transcodeRoots is empty: every job is refused (403)');
  const missing = [...worker.mediaRoots, ...worker.transcodeRoots].filter((root) => !existsSync(root));
  if (missing.length > 0) problems.push(`missing here: ${missing.join(', ')}`);
  const checks = [
    problems.length === 0
      ? pass('worker-config', `key set; mediaRoots ${worker.mediaRoots.join(', ')}; transcodeRoots ${worker.transcodeRoots.join(', ')}`)
      : fail('worker-config', problems.join('; '), `edit worker in ${configPath} (the folders as this machine sees them, mounted), then sudo ./install.sh again (it updates the unit's writable paths)`),
  ];
  const version = await new Promise<string | null>((resolve) =>
    execFile(worker.ffmpegPath, ['-hide_banner', '-version'], { timeout: 10_000, encoding: 'utf8' }, (error, stdout) => resolve(error ? null : (stdout.split('\n')[0] ?? ''))),
  );
  checks.push(
    version === null
      ? fail('ffmpeg', `${worker.ffmpegPath} does not run`, 'sudo apt-get install ffmpeg, or set worker.ffmpegPath to a working ffmpeg')
      : pass('ffmpeg', version),
  );
  return checks;
}
