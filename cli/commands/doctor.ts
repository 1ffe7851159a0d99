/** `plexbeam doctor [--json] [--transcode [--transcode-dir DIR]]`: checks the whole set-up and says how to fix each failure. */
import { EXIT_FAILURE, EXIT_OK, isPlexBeamError } from '../../core/errors.ts';
import { loadCommandConfig } from '../context.ts';
import { fail, toReport, type DoctorReport } from '../doctor/check.ts';
import { formatReport } from '../doctor/format.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import { findSystemctl } from '../doctor/services-check.ts';

/** Prints the checklist (JSON with --json); exit 0 when every check passed, else 1. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const print = (report: DoctorReport) => process.stdout.write(args.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  let config;
  try {
    config = loadCommandConfig(args);
  } catch (error) {
    // A config that does not load is the one failure doctor cannot look past: report it, then
    // let main.ts print it and exit 2 as every command does.
    if (isPlexBeamError(error)) {
      const denied = /EACCES/.test(error.message);
      print(toReport([fail('config', error.message, denied ? 'run it as root: sudo plexbeam doctor' : 'fix the config file (README: Configuration; the message names the key)')]));
    }
    throw error;
  }
  const transcode = args.transcode === true || typeof args.transcodeDir === 'string'
    ? { dir: typeof args.transcodeDir === 'string' ? args.transcodeDir : undefined }
    : undefined;
  const report = await runDoctor({ config, env: process.env, systemctl: findSystemctl(), transcode });
  print(report);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}
