/**
 * `plexbeam library scan DIR... | list | encode`: the media library re-encode (docs/LIBRARY.md).
 * scan and list work on the session log alone; encode queues, and plexbeam-server does the rest.
 */
import { join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';
import { isFleetCacheFresh, readFleetCache } from '../../core/fleet-cache.ts';
import { LIBRARY_CODECS, openLibraryStore, type LibraryCodec, type LibraryStore } from '../../core/session-log/library-store.ts';
import { DEFAULT_CODEC } from '../../library/estimate.ts';
import { formatBytes, formatList, formatTotals, listLibrary } from '../../library/list.ts';
import { queueEncodes } from '../../library/queue.ts';
import { scanLibrary } from '../../library/scan.ts';
import { loadCommandConfig } from '../context.ts';

const print = (text: string) => process.stdout.write(text);

/** `--codec`, checked (yargs' choices do it too; this is for callers of run()). */
function codecOf(args: Record<string, unknown>): LibraryCodec {
  const codec = args.codec ?? DEFAULT_CODEC;
  if (!(LIBRARY_CODECS as readonly unknown[]).includes(codec)) throw new PlexBeamError('USAGE', `--codec: expected av1 or hevc, got ${String(codec)}`);
  return codec as LibraryCodec;
}

/** A non-negative number option, or undefined when absent. */
function numberOf(args: Record<string, unknown>, name: string, max: number): number | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) throw new PlexBeamError('USAGE', `--${name}: expected a number from 0 to ${max}, got ${String(value)}`);
  return value;
}

/** The workers take a whole quality level only (worker/library/request.ts). */
function wholeNumber(value: number | undefined, name: string): number | null {
  if (value !== undefined && !Number.isInteger(value)) throw new PlexBeamError('USAGE', `--${name}: expected a whole number, got ${value}`);
  return value ?? null;
}

async function scan(store: LibraryStore, args: Record<string, unknown>): Promise<number> {
  const dirs = (Array.isArray(args.dirs) ? args.dirs : []).map(String);
  if (dirs.length === 0) throw new PlexBeamError('USAGE', 'library scan: name at least one folder (plexbeam library scan /srv/media/Movies)');
  const json = args.json === true;
  let summary;
  try {
    summary = await scanLibrary(store, dirs, {
      onFile: json ? undefined : (path, what, file) => {
        if (what !== 'unchanged') print(`${what === 'probed' ? (file?.state ?? 'probed') : 'unreadable'}  ${path}${file?.reason ? ` (${file.reason})` : ''}\n`);
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new PlexBeamError('USAGE', `library scan: ${(error as Error).message}`);
    throw error;
  }
  const { totals } = listLibrary(store, DEFAULT_CODEC);
  if (json) print(`${JSON.stringify({ ...summary, totals }, null, 2)}\n`);
  else print(`${summary.found} video files: ${summary.probed} probed, ${summary.unchanged} unchanged since the last scan, ${summary.unreadable} unreadable${summary.removed > 0 ? `, ${summary.removed} gone` : ''}\n${formatTotals(totals)}\n`);
  return 0;
}

function list(store: LibraryStore, args: Record<string, unknown>): number {
  const { files, totals } = listLibrary(store, codecOf(args), args.candidates === true);
  print(args.json === true ? `${JSON.stringify({ files, totals }, null, 2)}\n` : formatList(files, totals));
  return 0;
}

async function encode(store: LibraryStore, args: Record<string, unknown>, fleetFile: string): Promise<number> {
  const codec = codecOf(args);
  const limit = numberOf(args, 'limit', 1_000_000);
  const options = {
    codec,
    quality: wholeNumber(numberOf(args, 'quality', codec === 'av1' ? 63 : 51), 'quality'),
    minSavings: numberOf(args, 'min-savings', 100) ?? 5,
    keepOriginal: args.keepOriginal === true,
    limit: limit === undefined ? null : Math.floor(limit),
    dryRun: args.dryRun === true,
  };
  const queued = queueEncodes(store, options);
  const total = queued.reduce((sum, q) => sum + q.estimated_saving_bytes, 0);
  const cache = readFleetCache(fleetFile);
  const serverRuns = cache !== null && isFleetCacheFresh(cache);
  if (args.json === true) print(`${JSON.stringify({ dry_run: options.dryRun, codec, queued, estimated_saving_bytes: total, server_running: serverRuns }, null, 2)}\n`);
  else {
    for (const q of queued) print(`${options.dryRun ? 'would queue' : `queued #${q.job}`}  ${q.path} (~${formatBytes(q.estimated_saving_bytes)} to save)\n`);
    print(`${queued.length} file${queued.length === 1 ? '' : 's'} ${options.dryRun ? 'would be queued' : 'queued'} for ${codec.toUpperCase()}, ~${formatBytes(total)} to save\n`);
    if (!options.dryRun && queued.length > 0 && !serverRuns) process.stderr.write(`plexbeam-server does not seem to run (no fresh fleet cache at ${fleetFile}): it is what hands the jobs to the workers\n`);
  }
  if (args.wait !== true || options.dryRun) return 0;
  const ids = queued.map((q) => q.job as number);
  for (;;) {
    const jobs = ids.map((id) => store.getJob(id)!);
    if (jobs.every((job) => job.state !== 'queued' && job.state !== 'encoding' && job.state !== 'finishing')) {
      const failed = jobs.filter((job) => job.state === 'failed');
      if (args.json !== true) for (const job of jobs) print(`${job.state}  ${job.path}${job.error === null ? '' : ` (${job.error})`}\n`);
      return failed.length === 0 ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs the library action; returns the exit code. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const store = openLibraryStore(join(config.dataDir, 'sessions.db'));
  try {
    if (args.action === 'scan') return await scan(store, args);
    if (args.action === 'list') return list(store, args);
    return await encode(store, args, config.server.fleetFile);
  } finally {
    store.close();
  }
}
