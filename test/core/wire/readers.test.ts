// The wire readers on what a worker must not send: each says in words what is wrong.
import { createServer } from 'node:http';
import t from 'tap';
import { readHealth } from '../../../core/wire/health.ts';
import { readLinkLine, validateCallbackReply } from '../../../core/wire/link.ts';
import { acceptedJobId, validateTranscodeRequest } from '../../../core/wire/transcode.ts';
import { describeRequestError, requestErrorCode, requestWorker } from '../../../core/wire/worker-request.ts';

const HEALTH = { status: 'ok', version: '0.1.0', hwaccel: 'nvenc', encoders: ['h264_nvenc'], jobs: { running: 0, queued: 1, max: 2 } };

t.test('health: the fields SPEC fixes, with their types', async (t) => {
  t.strictSame(readHealth(HEALTH), { health: HEALTH });
  const cases: [unknown, RegExp][] = [
    [null, /^expected a JSON object, got null$/],
    [[HEALTH], /^expected a JSON object/],
    [{ status: 'stopping' }, /^the worker is stopping$/],
    [{ ...HEALTH, status: 'fine' }, /^status: expected "ok", got "fine"$/],
    [{ ...HEALTH, version: 1 }, /^version: expected a string, got 1$/],
    [{ ...HEALTH, hwaccel: undefined }, /^hwaccel: expected a string, got nothing$/],
    [{ ...HEALTH, encoders: 'h264_nvenc' }, /^encoders: expected an array of strings/],
    [{ ...HEALTH, encoders: [1] }, /^encoders: expected an array of strings, got \[1\]$/],
    [{ ...HEALTH, jobs: null }, /^jobs: expected an object, got null$/],
    [{ ...HEALTH, jobs: { running: 0, queued: 0, max: '4' } }, /^jobs\.max: expected a whole number, got "4"$/],
    [{ ...HEALTH, jobs: { running: -1, queued: 0, max: 4 } }, /^jobs\.running: expected a whole number, got -1$/],
  ];
  for (const [body, problem] of cases) t.match(readHealth(body).problem, problem, JSON.stringify(body));
  t.match(readHealth({ ...HEALTH, ffmpeg: 'ffmpeg version 5.1', hwaccels: ['cuda'], capabilities: { link: 1, paths_stat: true } }).health,
    { ffmpeg: 'ffmpeg version 5.1', hwaccels: ['cuda'], capabilities: { link: 1, callbacks: false, ws_progress: false, paths_stat: true } });
  t.match(readHealth({ ...HEALTH, confinement: 'bubblewrap', draining: true }).health, { confinement: 'bubblewrap', draining: true }, 'optional fields are read when present');
  t.notOk('confinement' in (readHealth({ ...HEALTH, confinement: 'chroot' }).health ?? {}), 'an unknown confinement is left out');
  const live = { session_id: 's1', state: 'running', speed: 1.02, out_time_s: 12.5, segment: 11 };
  t.same(readHealth({ ...HEALTH, sessions: [live, { session_id: 's2', state: 'queued', speed: 'fast' }, { session_id: 's3', state: 'completed' }, null, { state: 'running' }] }).health?.sessions,
    [live, { session_id: 's2', state: 'queued', speed: null, out_time_s: null, segment: null }], 'live jobs: a malformed entry is left out, a malformed number read as unknown');
  t.notOk('sessions' in (readHealth({ ...HEALTH, sessions: 'none' }).health ?? {}), 'sessions that are not a list are left out');
});

t.test('transcode request: a 400 names the field', async (t) => {
  const ok = { session_id: 's', argv: ['-i', 'x'], env: {}, cwd: '/tx' };
  t.match(validateTranscodeRequest(ok), { sessionId: 's', argv: ['-i', 'x'], env: {}, cwd: '/tx' });
  const bad: [unknown, RegExp][] = [
    ['x', /expected a JSON object/],
    [{ ...ok, session_id: '' }, /^session_id: expected a non-empty string/],
    [{ ...ok, argv: [] }, /^argv: expected an array of 1 to 4096 strings/],
    [{ ...ok, argv: ['a\0b'] }, /^argv\[0\]: expected a string without NUL bytes/],
    [{ ...ok, env: { A: 1 } }, /^env\.A: expected a string/],
    [{ ...ok, cwd: 'rel' }, /^cwd: expected an absolute path/],
  ];
  for (const [body, message] of bad) t.throws(() => validateTranscodeRequest(body), { code: 'WORKER_BAD_REQUEST', message }, JSON.stringify(body));
  t.equal(acceptedJobId({ job_id: 'j1', state: 'queued', link: '/jobs/j1/link' }), 'j1');
  t.equal(acceptedJobId({ job_id: 7 }), null);
  t.equal(acceptedJobId(null), null);
});

t.test('link lines: known, unknown, malformed', async (t) => {
  t.match(readLinkLine('{"type":"stderr","id":4,"data":"frame=1"}'), { message: { type: 'stderr', id: 4, data: 'frame=1' } });
  t.match(readLinkLine('{"type":"ping"}'), { message: { type: 'ping' } });
  t.strictSame(readLinkLine('{"type":"input_range","id":9,"from":0}'), { unknownType: 'input_range', id: 9 }, 'a later type is skipped, its id kept');
  t.match(readLinkLine('{"type":"exit","id":5,"state":"failed","code":null,"signal":"SIGKILL","error":"killed"}'), { message: { type: 'exit', code: null } });
  t.match(readLinkLine('{"type":"exit","id":5,"state":"failed","code":"1","signal":null,"error":null}'), { problem: 'exit message: code is not a number|null' });
  t.match(readLinkLine('{"type":"callback","id":1,"seq":1}'), { problem: /callback message: origin/ });
  t.match(readLinkLine('{"truncated'), { problem: /^not JSON/ });
  t.match(readLinkLine('[1]'), { problem: 'not a JSON object' });
  t.match(readLinkLine('{"id":1}'), { problem: 'no message type' });
  t.match(readLinkLine('{"type":"toString","id":1}'), { unknownType: 'toString' }, 'no prototype lookups');
});

t.test('callback reply: validated as the worker takes it', async (t) => {
  t.match(validateCallbackReply({ seq: 1, status: 204 }), { seq: 1, status: 204, contentType: null });
  for (const body of [{ seq: 1 }, { seq: 1.5, status: 200 }, { seq: 1, status: 99 }, { seq: 1, status: 200, body_b64: 1 }, null]) {
    t.throws(() => validateCallbackReply(body), { code: 'WORKER_BAD_REQUEST' }, JSON.stringify(body));
  }
});

t.test('the worker client: JSON or text back, bounded answers, errors in words', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/json') return res.end(JSON.stringify({ seen: req.headers['x-api-key'] ?? null, method: req.method }));
    if (req.url === '/big') return res.end('x'.repeat(2048));
    if (req.url === '/redirect') return res.writeHead(302, { location: '/json' }).end();
    if (req.url === '/hang') return; // never answers
    res.end('plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  t.strictSame(await requestWorker(base, '/json', { apiKey: 'k', method: 'POST', body: {}, timeoutMs: 5000 }), { status: 200, body: { seen: 'k', method: 'POST' } });
  t.strictSame(await requestWorker(base, '/text', { timeoutMs: 5000 }), { status: 200, body: 'plain' });
  t.equal((await requestWorker(base, '/redirect', { timeoutMs: 5000 })).status, 302, 'redirects are not followed');
  const tooLong = await requestWorker(base, '/big', { timeoutMs: 5000, maxBytes: 1024 }).catch((error: unknown) => error);
  t.equal(describeRequestError(tooLong, 5000), 'the answer is longer than 1024 bytes');
  const hung = await requestWorker(base, '/hang', { timeoutMs: 200 }).catch((error: unknown) => error);
  t.equal(describeRequestError(hung, 200), 'no answer within 200 ms');
  const shared = new AbortController();
  const pending = requestWorker(base, '/hang', { timeoutMs: 5000, signal: shared.signal }).catch((error: unknown) => error);
  shared.abort();
  t.match(describeRequestError(await pending, 5000), /no answer within/, 'a shared signal ends it too');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const freePort = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const refused = await requestWorker(`http://127.0.0.1:${freePort}`, '/health', { timeoutMs: 5000 }).catch((error: unknown) => error);
  t.equal(describeRequestError(refused, 5000), 'connection refused (nothing listens on that port)');
  const blocked = await requestWorker('http://127.0.0.1:6000', '/health', { timeoutMs: 5000 }).catch((error: unknown) => error);
  t.match(describeRequestError(blocked, 5000), /fetch refuses/);
});

t.test('link lines: fields no reader acts on may be missing, and read as their defaults', async (t) => {
  t.strictSame(readLinkLine('{"type":"hello","protocol":1}'), { message: { type: 'hello', protocol: 1, job_id: '', session_id: '', state: '' } });
  t.strictSame(readLinkLine('{"type":"exit","id":1,"state":"completed","code":0}'), { message: { type: 'exit', id: 1, state: 'completed', code: 0, signal: null, error: null } });
  t.match(readLinkLine('{"type":"exit","id":1,"code":0}'), { problem: 'exit message: state is not a string' });
  t.match(readLinkLine('{"type":"stderr","data":"x"}'), { problem: 'stderr message: id is not a number' });
});

t.test('request error codes', async (t) => {
  const refused = await requestWorker('http://127.0.0.1:6000', '/', { timeoutMs: 1000 }).catch((error: unknown) => error);
  t.equal(requestErrorCode(refused), 'bad port');
  t.equal(requestErrorCode(Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } })), 'ECONNREFUSED');
  t.equal(requestErrorCode(new Error('plain')), 'plain');
  t.equal(requestErrorCode('text'), 'text');
});
