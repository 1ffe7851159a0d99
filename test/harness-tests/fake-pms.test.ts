import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { CAN_THROTTLE_RESPONSE, EMPTY_CONTAINER, ensureTestMedia, MEDIA_ROUTE, startFakePms, type FakePms } from '../harness/index.ts';

const run = promisify(execFile);
const SESSION = '/video/:/transcode/session/s1/j1';

async function started(t: Test, opts?: Parameters<typeof startFakePms>[0]): Promise<FakePms> {
  const pms = await startFakePms(opts);
  t.teardown(() => pms.close());
  return pms;
}

t.test('records method, path, raw and parsed query, headers and body, in arrival order', async (t) => {
  const pms = await started(t);
  t.match(pms.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const first = await fetch(`${pms.url}${SESSION}/progress?duration=10.021`, { method: 'PUT', headers: { 'X-Plex-Token': 'local-abc' } });
  t.equal(first.status, 200);
  t.equal(await first.text(), EMPTY_CONTAINER, 'answers like Plex with an empty MediaContainer');
  await fetch(`${pms.url}${SESSION}/progress/stream?index=0&id=1&codec=h264&type=video`, { method: 'PUT' });
  await fetch(`${pms.url}${SESSION}/progress/log?level=3&message=hello%20world`, { method: 'POST', body: 'line one\nline two' });
  await fetch(`${pms.url}/log?level=1&source=Transcoder&message=a&message=b`);

  t.same(pms.requests.map((r) => [r.seq, r.method, r.path]), [
    [0, 'PUT', `${SESSION}/progress`],
    [1, 'PUT', `${SESSION}/progress/stream`],
    [2, 'POST', `${SESSION}/progress/log`],
    [3, 'GET', '/log'],
  ]);
  const [put, stream, log, get] = pms.requests;
  t.match(put, { rawQuery: 'duration=10.021', query: { duration: '10.021' }, complete: true, aborted: false, bodyText: '' });
  t.equal(put?.headers['x-plex-token'], 'local-abc', 'header names are lowercased');
  t.same(stream?.query, { index: '0', id: '1', codec: 'h264', type: 'video' });
  t.match(log, { rawQuery: 'level=3&message=hello%20world', query: { level: '3', message: 'hello world' }, bodyText: 'line one\nline two' });
  t.ok(log?.body.equals(Buffer.from('line one\nline two')));
  t.equal(get?.query.message, 'b', 'a repeated name keeps its last value');
  t.equal(get?.rawQuery, 'level=1&source=Transcoder&message=a&message=b');
  t.equal(put?.remoteAddress, '127.0.0.1');
  t.match(put?.response, { status: 200 });
  t.ok(pms.requests.every((r, i) => i === 0 || r.time >= (pms.requests[i - 1]?.time ?? 0)));
});

t.test('a responder answers like Plex does when it wants the transcoder to throttle', async (t) => {
  const pms = await started(t);
  pms.setResponder((req) => (req.method === 'PUT' && 'progress' in req.query ? CAN_THROTTLE_RESPONSE : undefined));
  const throttled = await fetch(`${pms.url}${SESSION}/progress?progress=12.5&size=1000&remaining=30`, { method: 'PUT' });
  t.match(await throttled.text(), /canThrottle/);
  t.notMatch(await (await fetch(`${pms.url}${SESSION}/progress?duration=10`, { method: 'PUT' })).text(), /canThrottle/);
  pms.setResponder(async () => ({ status: 404, body: 'gone', headers: { 'content-type': 'text/plain' } }));
  const gone = await fetch(`${pms.url}/anything`);
  t.equal(gone.status, 404);
  t.equal(gone.headers.get('content-type'), 'text/plain');
  t.match(pms.requests[2]?.response, { status: 404, body: 'gone' });
  pms.setResponder(() => {
    throw new Error('responder broke');
  });
  t.equal((await fetch(`${pms.url}/x`)).status, 500);
});

t.test('a chunked streaming POST is recorded chunk by chunk before it ends', async (t) => {
  const pms = await started(t);
  const req = request(`${pms.url}${SESSION}/manifest?X-Plex-Http-Pipeline=infinite`, { method: 'POST' });
  const answered = new Promise<number>((resolve, reject) => req.on('response', (res) => resolve(res.statusCode ?? 0)).on('error', reject));
  req.flushHeaders();
  const arrived = await pms.waitFor((r) => r.path.endsWith('/manifest'));
  t.equal(arrived.headers['transfer-encoding'], 'chunked');
  t.equal(arrived.query['X-Plex-Http-Pipeline'], 'infinite');
  req.write('media-00000.ts,0.000000,1.000000\n');
  const partial = await pms.waitFor((r) => r === arrived && r.chunks.length === 1);
  t.equal(partial.complete, false, 'seen while the POST is still open');
  t.equal(partial.bodyText, 'media-00000.ts,0.000000,1.000000\n');
  req.write('media-00001.ts,1.000000,2.000000\n');
  await pms.waitFor((r) => r === arrived && r.bodyText.includes('media-00001'));
  t.equal(arrived.complete, false);
  req.end('media-00002.ts,2.000000,3.000000\n');
  await pms.waitFor((r) => r === arrived && r.complete);
  t.equal(await answered, 200);
  t.equal(arrived.chunks.length, 3);
  t.equal(Buffer.concat(arrived.chunks.map((c) => c.data)).toString(), arrived.bodyText);
  t.ok(arrived.chunks.every((c, i) => c.time >= (arrived.chunks[i - 1]?.time ?? arrived.time)), 'chunk times never go back');
  t.ok((arrived.endTime ?? 0) >= (arrived.chunks.at(-1)?.time ?? Infinity));
});

t.test("real ffmpeg streams a segment list over one POST and each row arrives before it ends", async (t) => {
  const media = await ensureTestMedia();
  const pms = await started(t);
  const list = `${pms.url}${SESSION}/manifest?X-Plex-Http-Pipeline=infinite`;
  const ffmpeg = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-i', media.files.h264Aac.path, '-t', '3', '-map', '0:0', '-c', 'copy',
    '-f', 'segment', '-segment_time', '1', '-segment_list', list, '-segment_list_type', 'csv', '-segment_list_size', '0', 'media-%05d.ts'], { cwd: t.testdir() });
  const first = await pms.waitFor((r) => r.bodyText.includes('media-00000.ts'), 20_000);
  t.equal(first.complete, false, 'the first row is recorded while ffmpeg is still writing');
  await ffmpeg;
  await pms.waitFor((r) => r === first && r.complete);
  t.equal(pms.requests.length, 1);
  t.match(first.bodyText, /^media-00000\.ts,0\.0+,[\d.]+\nmedia-00001\.ts,/);
  t.ok(first.chunks.length >= 3, `one chunk per row (${first.chunks.length})`);
});

t.test('waitFor rejects after its timeout and says what did arrive', async (t) => {
  const pms = await started(t);
  await fetch(`${pms.url}/first`);
  await t.rejects(pms.waitFor((r) => r.path === '/never', 50), /no matching request within 50 ms; got:\n {2}#0 GET \/first \(0 bytes, complete\)/);
});

t.test('serves test media for live inputs, and close() ends an open streaming request', async (t) => {
  const media = await ensureTestMedia();
  const pms = await startFakePms({ mediaDir: media.dir });
  const live = await fetch(`${pms.url}${MEDIA_ROUTE}${media.files.liveTs.file}`);
  t.equal(live.status, 200);
  t.equal(Buffer.from(await live.arrayBuffer()).length, media.files.liveTs.size);
  t.equal((await fetch(`${pms.url}${MEDIA_ROUTE}nope.ts`)).status, 404);
  const req = request(`${pms.url}/stream`, { method: 'POST' });
  req.on('error', () => {});
  req.write('open');
  await pms.waitFor((r) => r.bodyText === 'open');
  await pms.close();
  t.equal(pms.requests.at(-1)?.aborted, true, 'the unfinished POST is marked aborted');
});
