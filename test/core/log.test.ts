import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../core/log.ts';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

t.test('JSON lines with component, level label and ISO time; level filters', async (t) => {
  const { stream, lines } = capture();
  const log = await createLogger({ name: 'worker', config: { logLevel: 'info', logFiles: false, logDir: '/nonexistent' }, destination: stream });
  log.debug('hidden');
  log.child({ jobId: 'j1', sessionId: 's1' }).info({ state: 'running' }, 'job started');
  await settle();
  t.equal(lines.length, 1);
  t.match(lines[0], { component: 'worker', level: 'info', msg: 'job started', jobId: 'j1', sessionId: 's1', state: 'running' });
  t.match(lines[0]?.time, /^\d{4}-\d\d-\d\dT/);
});

t.test('tokens and API keys never reach a log line', async (t) => {
  const { stream, lines } = capture();
  const log = await createLogger({ name: 'cartridge', config: { logLevel: 'info', logFiles: false, logDir: '/nonexistent' }, destination: stream });
  log.info({ apiKey: 'sekrit-key', worker: { apiKey: 'sekrit-key2', url: 'http://w' }, headers: { 'x-api-key': 'sekrit-key3' } }, 'dispatch');
  log.info('callback http://127.0.0.1:32400/x?a=1&X-Plex-Token=sekrit-token&b=2');
  await settle();
  const text = JSON.stringify(lines);
  t.notMatch(text, 'sekrit');
  t.match(lines[1]?.msg, 'X-Plex-Token=REDACTED&b=2');
});

t.test('logFiles writes rolled files under logDir as well as the stream', async (t) => {
  const dir = t.testdir({});
  const logDir = join(dir, 'logs');
  const { stream, lines } = capture();
  const log = await createLogger({ name: 'watchdog', config: { logLevel: 'info', logFiles: true, logDir }, destination: stream });
  log.info('to both');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(lines.length, 1);
  const files = readdirSync(logDir).filter((f) => f.endsWith('.log'));
  t.ok(files.length >= 1, `log file created: ${files.join(', ')}`);
  const written = readFileSync(join(logDir, files[0] as string), 'utf8');
  t.match(written, '"msg":"to both"');
});

t.test('tokens are redacted however they are nested: dropped arrays, headers in any case, argv pairs, env values, errors', async (t) => {
  const { stream, lines } = capture();
  const log = await createLogger({ name: 'worker', config: { logLevel: 'info', logFiles: false, logDir: '/nonexistent' }, destination: stream });
  log.child({ job_id: 'j1' }).info({
    dropped: [{ option: '-progressurl', value: 'http://127.0.0.1:32400/video/:/transcode/session/s/progress?X-Plex-Token=sekrit-1&a=1', reason: 'Plex-only' }],
    headers: { 'X-PLEX-TOKEN': 'sekrit-2', 'x-Plex-token': 'sekrit-3', accept: '*/*' },
    argv: ['-headers', 'X-Plex-Token: sekrit-4\r\n', '-x_plex_token', 'sekrit-5', '-i', 'http://pms/x?x-plex-token=sekrit-6'],
    env: { X_PLEX_TOKEN: 'sekrit-7', PLEXBEAM_API_KEY: 'sekrit-8', LANG: 'C.UTF-8' },
    encoded: 'url=http%3A%2F%2Fpms%2Fx%3FX-Plex-Token%3Dsekrit-9%26b%3D2',
  }, 'job started');
  log.error(new Error('GET http://pms/y?X-Plex-Token=sekrit-10 failed'));
  log.warn({ err: Object.assign(new Error('token=sekrit-11'), { code: 'E1' }) }, 'replay failed');
  await settle();
  t.notMatch(JSON.stringify(lines), 'sekrit');
  const [started, failed, warned] = lines as Record<string, any>[];
  t.match(started?.dropped, [{ option: '-progressurl', value: 'http://127.0.0.1:32400/video/:/transcode/session/s/progress?X-Plex-Token=REDACTED&a=1', reason: 'Plex-only' }]);
  t.same(started?.headers, { 'X-PLEX-TOKEN': 'REDACTED', 'x-Plex-token': 'REDACTED', accept: '*/*' });
  t.same(started?.argv, ['-headers', 'X-Plex-Token: REDACTED\r\n', '-x_plex_token', 'REDACTED', '-i', 'http://pms/x?x-plex-token=REDACTED']);
  t.same(started?.env, { X_PLEX_TOKEN: 'REDACTED', PLEXBEAM_API_KEY: 'REDACTED', LANG: 'C.UTF-8' });
  t.match(started?.encoded, 'X-Plex-Token%3DREDACTED%26b%3D2');
  t.match(failed, { msg: 'GET http://pms/y?X-Plex-Token=REDACTED failed', err: { type: 'Error', message: 'GET http://pms/y?X-Plex-Token=REDACTED failed' } });
  t.match(warned, { err: { type: 'Error', message: 'token=REDACTED', code: 'E1' } });
});
