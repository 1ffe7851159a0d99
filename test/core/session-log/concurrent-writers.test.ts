import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { SCHEMA_VERSION, openSessionLog } from '../../../core/session-log/index.ts';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const PROCESSES = 50;
const SESSIONS = 40;
const EVENTS = 5;
// Without tap's NODE_OPTIONS (--import of its coverage recorder): fifty instrumented children
// would spend most of the test starting up; the writers' code is covered by the other tests.
const { NODE_OPTIONS: _omit, ...CHILD_ENV } = process.env;

interface Writer {
  child: ChildProcess;
  stderr: string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Starts a writer and resolves once it has loaded and waits for `go`. */
async function startWriter(dbPath: string, index: number): Promise<Writer> {
  const child = spawn(process.execPath, [WRITER, dbPath, String(index), String(SESSIONS), String(EVENTS)], { env: CHILD_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  const writer: Writer = { child, stderr: '', exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (writer.stderr += chunk));
  let stdout = '';
  for await (const chunk of child.stdout?.setEncoding('utf8') ?? []) {
    stdout += chunk as string;
    if (stdout.includes('ready\n')) break;
  }
  return writer;
}

t.test('50 processes open one fresh file at once and all their writes land', async (t) => {
  const dbPath = join(t.testdir(), 'data', 'sessions.db');
  const writers = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => startWriter(dbPath, i)));
  const started = Date.now();
  for (const writer of writers) writer.child.stdin?.end('go\n');
  const exits = await Promise.all(writers.map((w) => w.exit));
  t.comment(`${PROCESSES} writers finished in ${Date.now() - started} ms`);

  exits.forEach(([code, signal], i) => {
    t.equal(code, 0, `writer ${i} exits 0 (signal ${signal})`);
    t.equal(writers[i]?.stderr, '', `writer ${i} reports no error`);
  });

  const log = openSessionLog(dbPath, { readonly: true });
  t.teardown(() => log.close());
  const count = (sql: string) => (log.db.prepare(sql).pluck().get() as number);
  t.equal(count('SELECT count(*) FROM sessions'), PROCESSES * SESSIONS);
  t.equal(count('SELECT count(DISTINCT id) FROM sessions'), PROCESSES * SESSIONS);
  t.equal(count('SELECT count(*) FROM events'), PROCESSES * EVENTS);
  t.equal(count(`SELECT count(*) FROM sessions WHERE decision = 'remote' AND worker IS NOT NULL
    AND dispatch_at = started_at + 1 AND ended_at = started_at + 2 AND exit_code IS NOT NULL`), PROCESSES * SESSIONS, 'every update applied');
  t.equal(log.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(log.db.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(log.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
});
