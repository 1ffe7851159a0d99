/**
 * One of the session-log benchmark's writer processes: `node session-log-writer.js DB INDEX SESSIONS`.
 * Prints `ready`, then obeys stdin lines: `invocation` does what one cartridge invocation does to
 * the log (load SQLite, open, insert the row, two updates, close) and prints `invocation <ms>`;
 * `burst` writes SESSIONS sessions (insert + 2 updates each, one transaction per statement) as
 * fast as it can and prints `burst <ms>`. Errors go to stderr, exit 1.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { endPatch } from '../cartridge/session.ts';

const [dbPath, index = '0', sessions = '20'] = process.argv.slice(2);
if (dbPath === undefined) throw new Error('usage: session-log-writer DB INDEX SESSIONS');
let serial = 0;

/** The cartridge's row for a Plex transcode, with the facts it fills in. */
function row(id: string, startedAt: number) {
  return {
    id, startedAt, argv: ['-i', `/media/${id}.mkv`, '-codec:0', 'libx264', 'media-%05d.ts'], envNames: ['PATH', 'LANG', 'PLEX_MEDIA_SERVER_HOME'], cwd: '/transcode/Sessions/x',
    kind: 'video-transcode' as const, width: 1280, height: 720, videoCodecIn: 'h264', videoCodecOut: 'libx264', protocol: 'hls', subtitleBurnIn: false,
  };
}

/** One session's writes: the row at start, the decision, the end. */
function writeSession(log: import('../core/session-log/index.ts').SessionLog): void {
  serial += 1;
  const id = `bench-w${index}-${serial}`;
  const startedAt = Date.now();
  log.recordSessionStart(row(id, startedAt));
  log.updateSession(id, { decision: 'remote', reason: null, worker: 'bench-worker', dispatchAt: startedAt + 1 });
  log.updateSession(id, endPatch({ endedBy: 'exit', code: 0, signal: null }, startedAt + 2));
}

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const command of lines) {
  try {
    const started = performance.now();
    // Loaded here, not above: the cartridge loads SQLite only once it needs it, and pays for it per invocation.
    const { openSessionLog } = await import('../core/session-log/index.ts');
    const log = openSessionLog(dbPath);
    try {
      const count = command === 'burst' ? Number(sessions) : 1;
      for (let i = 0; i < count; i += 1) writeSession(log);
    } finally {
      log.close();
    }
    process.stdout.write(`${command} ${(performance.now() - started).toFixed(3)}\n`);
  } catch (error) {
    process.stderr.write(`writer ${index}: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
