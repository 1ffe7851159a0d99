// The dashboard of the built `plexbeam server`: the page, /api/status and /events over HTTP, and
// the page in a real headless Chromium (driven over the DevTools protocol): the worker up with
// its live session, a real play through the installed shim with its speed and segment moving,
// then red once the worker stops. Screenshots go to .tap/dashboard/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { openSessionLog } from '../../core/session-log/index.ts';
import { startFakePms } from '../harness/index.ts';
import { API_KEY, BIN, installShim, makeMedia, plexEnv, spawnOwned, startShim, until } from '../cartridge/helpers.ts';
import { startRealWorker } from '../cartridge/workers.ts';
import { spawnServer } from './helpers.ts';

const ARTEFACTS = fileURLToPath(new URL('../../.tap/dashboard/', import.meta.url));
const dir = realpathSync(t.testdir({ media: {}, tx: { play: {} }, data: {} }));
const worker = await startRealWorker(dir, { mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());

// The session log as the cartridge writes it: one remote play still running, one fallback.
const log = openSessionLog(join(dir, 'data', 'sessions.db'));
const now = Date.now();
log.recordSessionStart({ id: '5e55101a-0000-4000-8000-000000000001', startedAt: now - 90_000, argv: ['-i', 'in.mkv'], envNames: [], cwd: dir, kind: 'video-transcode', decision: 'remote', worker: 'gpu', client: 'Living room TV' });
log.recordSessionStart({ id: 'fa11bac4-0000-4000-8000-000000000002', startedAt: now - 600_000, argv: ['-i', 'in.mkv'], envNames: [], cwd: dir, kind: 'video-transcode', decision: 'fallback', fallbackReason: 'no-healthy-worker', reason: 'no worker could take the job: gpu unreachable', endedAt: now - 500_000, exitCode: 0 });
log.close();

const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), workers: [{ url: worker.url, apiKey: API_KEY, name: 'gpu' }], server: { fleetFile: join(dir, 'fleet.json'), probeIntervalMs: 200, listen: '127.0.0.1:0' } }));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
const { logs } = spawnServer(t, config, env);
const { port } = (await logs.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('dashboard on '))) as { port: number };
const base = `http://127.0.0.1:${port}`;

t.test('the page, /api/status and /events', async (t) => {
  const page = await fetch(`${base}/`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  t.match(html, '<title>PlexBeam</title>');
  t.notMatch(html, /<script[^>]+src=|<link[^>]+href="http/, 'nothing loaded from elsewhere');
  const status = await until(async () => {
    const report = (await (await fetch(`${base}/api/status`)).json()) as { workers?: { name: string; up: boolean }[] };
    return report.workers?.[0]?.up === true ? report : undefined;
  }, 10_000, 'the worker up in /api/status');
  t.match(status, { source: 'server', workers: [{ name: 'gpu', up: true }], sessions: [{ decision: 'remote', worker: 'gpu', client: 'Living room TV' }], failures: [{ fallbackReason: 'no-healthy-worker' }] });
  t.equal((status as { hours: unknown[] }).hours.length, 24, '24 hourly counts for the chart');
  // analyze's feasibility summary: the numbers and sentences `plexbeam analyze --remote-feasibility` gives for this log.
  const judged = spawnSync(BIN, ['analyze', '--remote-feasibility', '--json', '--config', config], { env, encoding: 'utf8', timeout: 30_000 });
  t.equal(judged.status, 0, judged.stderr);
  const report = JSON.parse(judged.stdout);
  const feasibility = (status as { feasibility: { headline: Record<string, string>; reasons: { code: string }[] } }).feasibility;
  t.match(feasibility, {
    total: 2, transcode_s: report.transcode_s, remote_share: report.remote_share, movable_share: report.movable_share, blocked_sessions: report.blocked_sessions,
    computed_at: /^\d{4}-/, headline: { remote: /of transcode time/, movable: /feasible sessions that ran locally or fell back/, blocked: /sessions, for the reasons below/ },
  });
  t.same(feasibility.reasons.map((r) => r.code).sort(), report.reasons.map((r: { code: string }) => r.code).sort(), 'the same reasons');
  const printed = spawnSync(BIN, ['analyze', '--remote-feasibility', '--config', config], { env, encoding: 'utf8', timeout: 30_000 });
  for (const [label, key] of [['Already remote', 'remote'], ['Could move', 'movable'], ['Cannot move', 'blocked']] as const) {
    const line = printed.stdout.split('\n').find((l) => l.startsWith(label));
    t.equal(line?.slice(label.length).trimStart(), feasibility.headline[key], `analyze prints the same "${label}" line`);
  }
  const events = await fetch(`${base}/events`);
  t.match(events.headers.get('content-type'), /^text\/event-stream/);
  const reader = events.body!.getReader();
  let text = '';
  while ((text.match(/^data: /gm) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  t.match(JSON.parse(text.split('\n').filter((l) => l.startsWith('data: '))[1]!.slice(6)), { workers: [{ name: 'gpu' }] }, 'a report after a round');
  t.equal((await fetch(`${base}/nope`)).status, 404);
});

t.test('another address than loopback without server.password: refused (exit 2)', async (t) => {
  const open = join(dir, 'open.json');
  writeFileSync(open, JSON.stringify({ workers: [], server: { fleetFile: join(dir, 'other.json'), listen: '0.0.0.0:0' } }));
  const run = spawnSync(BIN, ['server', '--config', open], { env, encoding: 'utf8', timeout: 20_000 });
  t.equal(run.status, 2);
  t.match(run.stderr, /`server.listen` is 0\.0\.0\.0:0, not loopback: set `server.password`/);
});

const chromium = ['chromium-headless-shell', 'chromium'].find((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);
t.test('in headless Chromium: the worker and its session, then the worker turning red', { skip: chromium === undefined ? 'no chromium-headless-shell or chromium (apt-get install chromium-headless-shell)' : false }, async (t) => {
  mkdirSync(ARTEFACTS, { recursive: true });
  // Owned (SIGKILLed should this test process die), in its own process group.
  const browser = spawnOwned(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-port=0', `--user-data-dir=${join(dir, 'chromium')}`, '--window-size=1200,800', `${base}/`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // Chromium's helpers (zygote, renderer) share its stderr: the whole group goes.
  t.teardown(() => {
    try {
      process.kill(-browser.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
    browser.stderr!.destroy();
  });
  let stderr = '';
  browser.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const devtools = await until(() => /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1], 20_000, 'Chromium to listen');
  const target = await until(async () => ((await (await fetch(`http://127.0.0.1:${devtools}/json/list`)).json()) as { type: string; url: string; webSocketDebuggerUrl: string }[]).find((p) => p.type === 'page' && p.url.startsWith(base)), 10_000, 'the page');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  t.teardown(() => ws.close());
  let id = 0;
  const answers = new Map<number, (result: any) => void>();
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) answers.get(message.id)?.(message.result);
  };
  const send = (method: string, params: Record<string, unknown> = {}) => new Promise<any>((resolve) => {
    answers.set((id += 1), resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (expression: string) => (await send('Runtime.evaluate', { expression, returnByValue: true })).result.value;
  const screenshot = async (name: string) => writeFileSync(join(ARTEFACTS, name), Buffer.from((await send('Page.captureScreenshot', { format: 'png' })).data, 'base64'));

  await until(async () => ((await evaluate(`document.querySelector('tr[data-worker="gpu"]')?.className`)) === 'up' ? true : undefined), 15_000, 'the worker row, up');
  t.match(await evaluate(`document.querySelector('tr[data-worker="gpu"] .state').textContent`), /^up for \d+/);
  t.match(await evaluate(`getComputedStyle(document.querySelector('tr[data-worker="gpu"] .state')).color`), 'rgb(26, 127, 55)', 'green');
  t.match(await evaluate(`document.querySelector('tr[data-session]').textContent`), /on gpu.*Living room TV/);
  t.match(await evaluate(`document.getElementById('failures').textContent`), /no-healthy-worker: no worker could take the job/);
  t.equal(await evaluate(`document.querySelectorAll('#chart .bar').length`), 24);
  const { feasibility } = (await (await fetch(`${base}/api/status`)).json()) as { feasibility: { headline: Record<string, string>; reasons: unknown[] } };
  t.equal(await evaluate(`document.querySelector('#feasibility [data-line="remote"]').textContent`), `Already remote ${feasibility.headline.remote}`, "analyze's feasibility summary");
  t.equal(await evaluate(`document.querySelector('#feasibility [data-line="movable"]').textContent`), `Could move ${feasibility.headline.movable}`);
  t.equal(await evaluate(`document.querySelector('#feasibility [data-line="blocked"]').textContent`), `Cannot move ${feasibility.headline.blocked}`);
  t.equal(await evaluate(`document.querySelectorAll('#feasibility-reasons li').length`), feasibility.reasons.length, 'its reasons');
  await screenshot('1-worker-up.png');

  // A real play (ffmpeg at the clip's own rate, Plex's segment shape): its row shows speed and segment, and the segment moves on.
  const pms = await startFakePms();
  t.teardown(() => pms.close());
  const plex = await installShim(dir);
  const input = makeMedia(join(dir, 'media', 'in.mkv'), 30);
  const play = startShim(plex, [
    '-re', '-i', input, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '24', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
    '-segment_list', `${pms.url}/video/:/transcode/session/da5h/0001/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts',
  ], { env: plexEnv({ PLEXBEAM_CONFIG: config }), cwd: join(dir, 'tx', 'play') });
  t.teardown(() => {
    if (play.proc.exitCode === null && play.proc.signalCode === null) play.proc.kill('SIGTERM');
    return play.exited;
  });
  const segmentShown = (above: number) => async () => {
    const shown = (await evaluate(`[...document.querySelectorAll('tr[data-session] .segment')].map((c) => c.textContent).find((v) => /^\\d+$/.test(v)) ?? null`)) as string | null;
    return shown !== null && Number(shown) > above ? Number(shown) : undefined;
  };
  const first = await until(segmentShown(0), 30_000, 'the play with a segment on the page');
  const playing = `[...document.querySelectorAll('tr[data-session]')].find((r) => /^\\d+$/.test(r.querySelector('.segment').textContent))`;
  t.match(await evaluate(`${playing}.textContent`), /video-transcodeon gpu/, 'the play runs on gpu');
  t.match(await evaluate(`${playing}.querySelector('.speed').textContent`), /^\d+\.\d\d×$/, 'its speed');
  await until(segmentShown(first + 1), 30_000, 'a later segment on the page');
  await screenshot('2-play-progress.png');
  play.proc.kill('SIGTERM');
  await play.exited;

  await worker.stop();
  await until(async () => ((await evaluate(`document.querySelector('tr[data-worker="gpu"]')?.className`)) === 'down' ? true : undefined), 15_000, 'the worker row, down');
  t.match(await evaluate(`getComputedStyle(document.querySelector('tr[data-worker="gpu"] .state')).color`), 'rgb(198, 40, 40)', 'red');
  t.match(await evaluate(`document.querySelector('tr[data-worker="gpu"] .error').textContent`), /unreachable: connection refused/);
  await screenshot('3-worker-down.png');
  t.comment(`screenshots in ${ARTEFACTS}`);
});
