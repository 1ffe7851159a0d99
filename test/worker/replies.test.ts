import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { validateConfig, type WorkerConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import type { HardwareProbe } from '../../worker/probe/index.ts';
import { validateTranscodeRequest } from '../../worker/sandbox/request.ts';
import { createWorkerServer } from '../../worker/server.ts';
import { API_KEY, FAKE_FFMPEG, openLink } from './helpers.ts';

// In-process: the test needs the job's secret callback token, which only the worker knows.
const dir = realpathSync(t.testdir({ media: { 'in.mkv': 'x' }, tx: { sess: {} } }));
const config = validateConfig({
  worker: { host: '127.0.0.1', port: 0, apiKey: API_KEY, ffmpegPath: FAKE_FFMPEG, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] },
}).worker as WorkerConfig;
const hardware: HardwareProbe = {
  hwaccel: 'software', encoders: ['libx264'], device: null, requested: 'auto', reason: 'test', ffmpeg: { path: FAKE_FFMPEG, version: 'fake' },
  hwaccels: [], devices: { dri: [], nvidia: [] }, candidates: [], ms: 0,
};
const log = await createLogger({ name: 'worker', config: { logLevel: 'silent', logFiles: false, logDir: dir } });
const server = createWorkerServer({ config, hardware, log, version: 'test', workerEnv: {}, scratchRoot: dir });
const { port, callbackPort } = await server.listen();
t.teardown(() => server.close());

t.test("a captured request hears Plex's answer when the cartridge relays it, a plain 200 otherwise", async (t) => {
  const job = server.jobs.submit(validateTranscodeRequest({
    session_id: 's',
    argv: ['-i', join(dir, 'media', 'in.mkv'), '-segment_list', 'http://127.0.0.1:32400/manifest', 'stall.out'],
    cwd: join(dir, 'tx', 'sess'),
  }));
  const url = `http://127.0.0.1:${callbackPort}/cb/${job.id}/${job.callbackToken}/0/video/:/transcode/session/s/progress?progress=5`;

  const unlinked = await fetch(url, { method: 'PUT', body: 'a' });
  t.equal(unlinked.status, 200);
  t.equal(await unlinked.text(), '', 'no cartridge on the link: answered at once');
  t.equal((await fetch(url.replace(job.callbackToken, 'forged'), { method: 'PUT' })).status, 404, 'a wrong token is refused');

  const link = openLink(`http://127.0.0.1:${port}`, job.id, { autoReply: false });
  await link.waitFor((m) => m.type === 'hello');
  const answered = fetch(url, { method: 'PUT', body: 'b' });
  const start = await link.waitFor((m) => m.type === 'callback' && m.seq === 2);
  t.match(start, { origin: 'http://127.0.0.1:32400', method: 'PUT', path: '/video/:/transcode/session/s/progress', query: 'progress=5', end: false });
  await link.waitFor((m) => m.type === 'callback_data' && m.seq === 2 && m.end === true);
  const plex = '<MediaContainer size="0" canThrottle="1"/>';
  const reply = await fetch(`http://127.0.0.1:${port}/jobs/${job.id}/callback-replies`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ seq: 2, status: 200, content_type: 'text/xml', body_b64: Buffer.from(plex).toString('base64') }),
  });
  t.equal(reply.status, 204);
  const response = await answered;
  t.equal(response.headers.get('content-type'), 'text/xml');
  t.equal(await response.text(), plex, "Plex's answer reaches whoever asked");

  await server.jobs.cancel(job);
  await link.ended;
  t.match(link.messages.at(-1), { type: 'exit', state: 'cancelled' });
});
