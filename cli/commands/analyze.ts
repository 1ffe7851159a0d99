/** `plexbeam analyze`: what Plex asked for, what ran where, and what could run remotely. */
import { join } from 'node:path';
import { PlexBeamError } from '../../core/errors.ts';
import { runAnalyze, type AnalyzeView } from '../../analyze/run.ts';
import { parseSince } from '../../analyze/since.ts';
import { loadCommandConfig } from '../context.ts';

/** Picks the view from the (mutually exclusive) flags, then runs it; returns the exit code. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const config = loadCommandConfig(args);
  const since = parseSince(args.since);
  const detail = args.detail;
  if (detail !== undefined && (typeof detail !== 'string' || detail.trim() === '')) {
    throw new PlexBeamError('USAGE', '--detail: expected a session id (see the example sessions of --patterns)');
  }
  const view: AnalyzeView =
    detail !== undefined ? 'detail' : args.patterns === true ? 'patterns' : args.remoteFeasibility === true ? 'feasibility' : args.events === true ? 'events' : 'summary';
  const db = typeof args.db === 'string' && args.db !== '' ? args.db : join(config.dataDir, 'sessions.db');
  return runAnalyze(
    { view, dbPath: db, since, json: args.json === true, sessionId: typeof detail === 'string' ? detail.trim() : undefined, config },
    { stdout: process.stdout, stderr: process.stderr, env: process.env },
  );
}
