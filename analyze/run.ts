/** Runs one `plexbeam analyze` view against a session log and writes it as text or JSON. */
import { accessSync, constants, existsSync } from 'node:fs';
import type { Config } from '../core/config.ts';
import { PlexBeamError } from '../core/errors.ts';
import { openSessionLog, type SessionLog } from '../core/session-log/index.ts';
import { gatherCapabilities, type LiveHealth } from '../core/feasibility/capabilities.ts';
import { findSession, sessionDetail } from './detail.ts';
import { listEventRows } from './events.ts';
import { computeFeasibility } from '../core/feasibility/compute.ts';
import { createStyle, shouldColour } from './format.ts';
import { createInputCheck } from '../core/feasibility/input-reach.ts';
import { listPatterns } from './patterns.ts';
import { createProgressBar, type ProgressStream } from './progress-bar.ts';
import { renderFeasibility } from './render-feasibility.ts';
import { renderSummary } from './render-summary.ts';
import { renderDetail, renderEvents, renderPatterns } from './render-views.ts';
import { computeSummary } from './summary.ts';

export type AnalyzeView = 'summary' | 'patterns' | 'feasibility' | 'detail' | 'events';

/** What to show, from where. */
export interface AnalyzeRequest {
  view: AnalyzeView;
  dbPath: string;
  since: number | null;
  json: boolean;
  /** The session id for `detail`. */
  sessionId?: string;
  config: Pick<Config, 'workers' | 'healthTimeoutMs' | 'worker'>;
}

/** Where output goes; stdout decides colour, stderr carries the progress bar. */
export interface AnalyzeIo {
  stdout: { isTTY?: boolean; columns?: number; write(text: string): unknown };
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
}

/** Runs the view and returns the exit code (0); throws PlexBeamError for what the user must fix. */
export async function runAnalyze(request: AnalyzeRequest, io: AnalyzeIo): Promise<number> {
  if (!existsSync(request.dbPath)) {
    throw new PlexBeamError('SESSION_LOG', `no session log at ${request.dbPath}: the cartridge creates it on the first play after \`plexbeam cartridge install\` (check dataDir, or point --db at one)`);
  }
  const log = openSessionLog(request.dbPath, { readonly: true });
  try {
    const style = createStyle(!request.json && shouldColour(io.stdout, io.env));
    const progress = createProgressBar({ label: 'analyzing sessions', stream: io.stderr });
    const options = { dbPath: request.dbPath, since: request.since, progress };
    const emit = (value: unknown, text: () => string) => io.stdout.write(request.json ? `${JSON.stringify(value, null, 2)}\n` : text());
    try {
      switch (request.view) {
        case 'summary': {
          const summary = computeSummary(log.db, options);
          progress.finish();
          emit(summary, () => renderSummary(summary, style));
          break;
        }
        case 'patterns': {
          const report = listPatterns(log.db, options);
          progress.finish();
          emit(report, () => renderPatterns(report, style, io.stdout.isTTY === true ? io.stdout.columns : undefined));
          break;
        }
        case 'feasibility': {
          // Up to healthTimeoutMs (as long as a minute): keep the bar alive while waiting.
          const tick = setInterval(() => progress.update(0, 0, 'asking workers for their capabilities'), 250);
          const { capabilities, live } = await gatherCapabilities(request.config.workers, log.listWorkerCapabilities(), request.config.healthTimeoutMs).finally(() => clearInterval(tick));
          const report = computeFeasibility(log.db, {
            ...options,
            capabilities,
            inputCheck: createInputCheck(request.config.worker),
            allowHttpInputs: request.config.worker.allowHttpInputs,
            healthTimeoutMs: request.config.healthTimeoutMs,
          });
          progress.finish();
          emit(report, () => renderFeasibility(report, style));
          saveLiveCapabilities(request.dbPath, live);
          break;
        }
        case 'detail': {
          const detail = sessionDetail(findSession(log, request.sessionId ?? ''), log.db);
          emit(detail, () => renderDetail(detail, style));
          break;
        }
        case 'events': {
          const events = listEventRows(log, request.since);
          emit(events, () => renderEvents(events.events, style));
          break;
        }
      }
    } finally {
      progress.finish();
    }
    return 0;
  } finally {
    log.close();
  }
}

/**
 * Keeps what the workers just said, so the next report has it when they do not answer. Analyze
 * reads through a read-only connection; this is a separate, best-effort writer that gives up
 * quietly where this user cannot write the log (an unprivileged `plexbeam analyze`).
 */
function saveLiveCapabilities(dbPath: string, live: readonly LiveHealth[]): void {
  if (live.length === 0) return;
  let writer: SessionLog | undefined;
  try {
    accessSync(dbPath, constants.W_OK);
    writer = openSessionLog(dbPath);
    for (const { worker, health } of live) writer.saveWorkerCapabilities(worker, health);
  } catch {
    // Read-only file or folder, or a busy writer: the live answer was used all the same.
  } finally {
    writer?.close();
  }
}
