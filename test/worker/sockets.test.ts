// The worker's sockets in-process (short timers): WebSocket heartbeats close dead peers and keep
// live ones, the HTTP parser's rejects are answered without harm, and the capture server lets a
// request last as long as its ffmpeg sends.
import { realpathSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { validateConfig, type WorkerConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createCallbackServer, type CallbackTarget } from '../../worker/callbacks/capture.ts';
import type { JobLink } from '../../worker/callbacks/link.ts';
import { createReplyBox } from '../../worker/callbacks/replies.ts';
import type { HardwareProbe } from '../../worker/probe/index.ts';
import { createWorkerServer } from '../../worker/server.ts';
import { API_KEY, FAKE_FFMPEG } from './helpers.ts';
import { openRawWs } from './raw-ws.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: {} }));
const config = validateConfig({
  worker: { host: '127.0.0.1', port: 0, apiKey: API_KEY, ffmpegPath: FAKE_FFMPEG, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] },
}).worker as WorkerConfig;
const hardware: HardwareProbe = {
  hwaccel: 'software', encoders: ['libx264'], device: null, requested: 'auto', reason: 'test', ffmpeg: { path: FAKE_FFMPEG, version: 'fake' },
  hwaccels: [], devices: { dri: [], nvidia: [] }, candidates: [], ms: 0,
};
const log = await createLogger({ name: 'worker', config: { logLevel: 'silent', logFiles: false, logDir: dir } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('heartbeats: a peer that never answers a ping is terminated, one that answers stays', async (t) => {
  const server = createWorkerServer({ config, hardware, log, version: 'test', workerEnv: {}, scratchRoot: dir, wsHeartbeatMs: 100 });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const live = new WebSocket(`ws://127.0.0.1:${port}/ws/progress`, { headers: { 'x-api-key': API_KEY } });
  await new Promise((resolve, reject) => live.once('open', resolve).once('error', reject));
  let liveClosed = false;
  live.on('close', () => (liveClosed = true));
  // A raw socket reads the pings and never answers them.
  const dead = await openRawWs(port, '/ws/progress', { 'x-api-key': API_KEY });
  await dead.closed;
  t.ok(dead.received().includes(Buffer.from([0x89, 0x00])), 'it was pinged before being dropped');
  await sleep(300);
  t.notOk(liveClosed, 'the client that answers pongs is still connected after several intervals');
  live.close();
});

t.test('malformed HTTP on the API and the callback server is answered 400 and closes only that connection', async (t) => {
  const server = createWorkerServer({ config, hardware, log, version: 'test', workerEnv: {}, scratchRoot: dir });
  const { port, callbackPort } = await server.listen();
  t.teardown(() => server.close());
  for (const target of [port, callbackPort]) {
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(target, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    t.match(answer, /^HTTP\/1\.1 400 Bad Request/, `port ${target === port ? 'API' : 'callbacks'}: 400`);
  }
  t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200, 'the worker answers on');
});

t.test('the capture server keeps a request open as long as its body keeps coming, and drops connections that send nothing', async (t) => {
  // The link as the capture uses it: what it is sent, in order.
  const sent: Record<string, any>[] = [];
  const link = { attached: false, send: (message: Record<string, any>) => void sent.push(message) } as unknown as JobLink;
  let seq = 0;
  const target: CallbackTarget = { callbackToken: 'tok', origins: ['http://127.0.0.1:32400'], link, replies: createReplyBox(), nextCallbackSeq: () => (seq += 1), openCallbacks: 0 };
  // The idle timer shortened so the test sees it act: a connection silent for 1 s goes, a request whose body keeps coming does not.
  const server = createCallbackServer((id) => (id === 'job' ? target : undefined), { idleTimeoutMs: 1000 });
  t.equal(server.requestTimeout, 0, "no limit on a whole request (Node's default is 5 minutes)");
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const port = (server.address() as { port: number }).port;

  // A body trickling for 10 × the headers timeout, like ffmpeg's one chunked POST per transcode.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/cb/job/tok/0/video/:/transcode/session/s/out', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    let sent = 0;
    const tick = setInterval(() => {
      req.write(`chunk-${sent}\n`);
      sent += 1;
      if (sent === 30) {
        clearInterval(tick);
        req.end();
      }
    }, 100);
  });
  t.equal(status, 200, 'answered after its whole 3 s body (3 × the idle timeout)');
  const body = sent.filter((m) => m.type === 'callback_data').map((m) => Buffer.from(m.body_b64, 'base64').toString()).join('');
  t.equal(body, Array.from({ length: 30 }, (_, i) => `chunk-${i}\n`).join(''), 'every byte reached the link');
  t.match(sent.at(-1), { type: 'callback_data', end: true });
  const silent = await new Promise<'closed'>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve('closed'));
  });
  t.equal(silent, 'closed', 'a connection that never sends anything is closed');
});
