// Replays to Plex are bounded: a Plex that accepts the connection and never answers costs the
// response timeout, the worker hears 502, and the failure is said once, with why (real sockets).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createReplayer, type CallbackAnswer } from '../../cartridge/replay.ts';
import type { CallbackMessage } from '../../core/wire/link.ts';

/** A Plex whose `/hang` requests are read and never answered; everything else gets 200. */
async function startHangingPlex() {
  const open = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    if (req.url?.startsWith('/hang')) return void open.add(res);
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/xml' }).end('<MediaContainer/>'));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

t.test('a Plex that never answers: 502 to the worker after the response timeout, said once', async (t) => {
  const plex = await startHangingPlex();
  t.teardown(() => plex.close());
  const answers: CallbackAnswer[] = [];
  const said: string[] = [];
  const replayer = createReplayer({
    origins: new Set([plex.origin]), token: 'tok', answer: async (reply) => void answers.push(reply),
    responseTimeoutMs: 300, holdMs: 60_000, warn: (text) => said.push(text),
  });
  const callback = (seq: number, path: string) => ({ type: 'callback', id: seq, seq, origin: plex.origin, method: 'PUT', path, query: 'X-Plex-Token=never-shown', headers: {}, end: true }) satisfies CallbackMessage;
  replayer.feed(callback(1, '/hang/progress'));
  replayer.feed(callback(2, '/hang/progress'));
  replayer.feed(callback(3, '/video/:/transcode/session/x/progress'));
  await replayer.drain(10_000);
  t.same(answers.map((a) => [a.seq, a.status]), [[1, 502], [2, 502], [3, 200]], 'each hung request answered 502 in turn; the next ones still went');
  t.same(said, ['a callback to Plex failed: PUT /hang/progress (ETIMEDOUT); the worker was answered 502'], 'said once, naming the request without its query');
});

t.test("the worker not taking Plex's answer is said once too", async (t) => {
  const plex = await startHangingPlex();
  t.teardown(() => plex.close());
  const said: string[] = [];
  const replayer = createReplayer({
    origins: new Set([plex.origin]), token: undefined, warn: (text) => said.push(text),
    answer: async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); },
  });
  for (const seq of [1, 2]) replayer.feed({ type: 'callback', id: seq, seq, origin: plex.origin, method: 'PUT', path: '/progress', query: '', headers: {}, end: true } satisfies CallbackMessage);
  await replayer.drain(10_000);
  t.same(said, ["could not pass Plex's answer to the worker (ECONNREFUSED); its throttling may lag"]);
});
