import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeMedia, openLink, processGroup, startWorker, waitForEnd } from './helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} } }));
makeMedia(join(dir, 'media', 'in.mkv'));
const worker = await startWorker(dir, { maxJobs: 3, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());

const IN = join(dir, 'media', 'in.mkv');
const SESSION = '/video/:/transcode/session/abc/def';
const transcode = async (argv: string[]) => {
  const { status, json } = await worker.request('POST', '/transcode', { session_id: 'link-test', argv, env: {}, cwd: join(dir, 'tx', 'sess') });
  if (status !== 202) throw new Error(`transcode refused: ${JSON.stringify(json)}`);
  return json.job_id as string;
};
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

t.test("Plex's callbacks arrive over the link in order, each with method, path, query and body", async (t) => {
  // ffmpeg's HLS muxer PUTs each segment, then the playlist: an order the link must keep.
  const jobId = await transcode(['-re', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'hls', '-hls_time', '1', '-method', 'PUT', 'http://127.0.0.1:32400/hls/x.m3u8?X-Plex-Token=abc']);
  const link = openLink(worker.base, jobId);
  await link.ended;
  t.match(link.messages[0], { type: 'hello', protocol: 1, job_id: jobId, session_id: 'link-test' });
  t.match(link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 });
  const ids = link.messages.filter((m) => m.id !== undefined).map((m) => m.id);
  t.same(ids, ids.map((_, i) => i + 1), 'messages are numbered 1, 2, 3 … without gaps');
  const callbacks = link.messages.filter((m) => m.type === 'callback');
  t.same(callbacks.map((m) => m.seq), callbacks.map((_, i) => i + 1), 'callbacks are numbered in arrival order');
  t.match(callbacks[0], { origin: 'http://127.0.0.1:32400', method: 'PUT', path: '/hls/x0.ts', headers: { 'user-agent': /^Lavf/ } });
  const paths = callbacks.map((m) => m.path);
  t.same(paths.slice(0, 4), ['/hls/x0.ts', '/hls/x.m3u8', '/hls/x1.ts', '/hls/x.m3u8']);
  const playlists = callbacks.filter((m) => m.path === '/hls/x.m3u8');
  t.equal(playlists[0]?.query, 'X-Plex-Token=abc', 'the query string is kept as written');
  const body = (seq: number | undefined) => link.messages.filter((m) => m.seq === seq && m.type === 'callback_data').map((m) => decode(m.body_b64)).join('');
  t.match(body(playlists.at(-1)?.seq), /#EXTM3U[\s\S]*x0\.ts[\s\S]*#EXT-X-ENDLIST/);
  t.ok(link.messages.filter((m) => m.type === 'progress').length > 0, 'progress messages too');
  t.ok(link.messages.some((m) => m.type === 'stderr' && /Stream mapping/.test(m.data)), 'and stderr');
});

t.test('a streaming callback (an endless chunked POST) is forwarded chunk by chunk', async (t) => {
  // ffmpeg's HTTP output POSTs with chunked encoding for as long as it runs.
  const jobId = await transcode(['-re', '-i', IN, '-c', 'copy', '-f', 'mpegts', `http://127.0.0.1:32400${SESSION}/stream?X-Plex-Http-Pipeline=infinite`]);
  const link = openLink(worker.base, jobId);
  const start = await link.waitFor((m) => m.type === 'callback');
  t.match(start, { method: 'POST', path: `${SESSION}/stream`, query: 'X-Plex-Http-Pipeline=infinite', end: false, headers: { 'transfer-encoding': undefined } });
  const chunk = await link.waitFor((m) => m.type === 'callback_data' && m.seq === start.seq && m.body_b64 !== '');
  t.notOk(link.messages.some((m) => m.type === 'exit'), 'a later chunk arrived while the transcode was still running');
  t.equal(chunk.end, false);
  await link.ended;
  const parts = link.messages.filter((m) => m.seq === start.seq && m.type === 'callback_data');
  t.ok(parts.filter((m) => m.body_b64 !== '').length >= 3, 'the body came in several messages');
  t.equal(parts.at(-1)?.end, true, 'the last one ends it');
  t.equal(Buffer.from(parts.map((m) => m.body_b64).join(''), 'base64')[0], 0x47, 'MPEG-TS packets (sync byte 0x47)');
});

t.test("Plex's segment list: the publisher POSTs Plex's CSV rows once each segment is complete", async (t) => {
  const jobId = await transcode([
    '-re', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'segment', '-segment_time', '1',
    '-segment_list', `http://127.0.0.1:32400${SESSION}/manifest?X-Plex-Http-Pipeline=infinite`, '-segment_list_type', 'csv', 'media-%05d.ts',
  ]);
  const link = openLink(worker.base, jobId);
  await link.ended;
  const posts = link.messages.filter((m) => m.type === 'callback' && m.path === `${SESSION}/manifest`);
  t.ok(posts.length >= 2, 'a POST as segments complete, not one at the end');
  t.match(posts[0], { method: 'POST', query: 'X-Plex-Http-Pipeline=infinite' });
  const bodyOf = (seq: number) => link.messages.filter((m) => m.seq === seq && m.type === 'callback_data').map((m) => decode(m.body_b64)).join('');
  t.match(bodyOf(posts.at(-1)?.seq), /^media-00000\.ts,0\.000000,[\d.]+\nmedia-00001\.ts,[\d.]+,[\d.]+\n/, 'every row, the first from 0');
  t.match(link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 });
});

t.test('a link that closes and stays closed kills the job; one reopened in time does not', async (t) => {
  const slow = ['-re', '-stream_loop', '-1', '-i', IN, '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'segment', '-segment_time', '1'];
  const kept = await transcode([...slow, 'kept-%05d.ts']);
  const lost = await transcode([...slow, 'lost-%05d.ts']);
  const first = openLink(worker.base, kept);
  await first.waitFor((m) => m.type === 'progress');
  first.destroy();
  const lastSeen = Math.max(...first.messages.map((m) => m.id ?? 0));
  const second = openLink(worker.base, kept, { after: lastSeen });
  const next = await second.waitFor((m) => m.id !== undefined);
  t.equal(next.id, lastSeen + 1, 'the reopened link resumes after the last message seen');

  const doomed = openLink(worker.base, lost);
  await doomed.waitFor((m) => m.type === 'progress');
  const pgid = (await worker.waitForLog((l) => l.job_id === lost && l.msg === 'job started')).ffmpeg_pid as number;
  doomed.destroy();
  const end = await waitForEnd(worker, lost, 20_000);
  t.match(end, { state: 'cancelled', error_code: 'JOB_LINK_LOST' });
  t.same(processGroup(pgid), [], "the lost job's ffmpeg is gone");
  await worker.waitForLog((l) => l.job_id === lost && l.msg === 'cartridge link lost: killing the job');

  t.match(await worker.request('GET', `/status/${kept}`), { json: { state: 'running' } }, 'the job whose link came back still runs');
  t.match(await worker.request('POST', `/jobs/${kept}/callback-replies`, { seq: 1, status: 200, body_b64: '' }), { status: 204 }, 'a late reply is accepted');
  t.equal((await worker.request('POST', `/jobs/${kept}/callback-replies`, { seq: 'x', status: 200 })).status, 400);
  await worker.request('DELETE', `/jobs/${kept}`);
  await second.ended;
  t.match(second.messages.at(-1), { type: 'exit', state: 'cancelled' });
});

t.test('a link opened after the job ended replays everything and ends', async (t) => {
  const jobId = await transcode(['-i', IN, '-t', '1', '-c', 'copy', 'copy.mkv']);
  await waitForEnd(worker, jobId);
  const link = openLink(worker.base, jobId);
  await link.ended;
  t.match(link.messages[0], { type: 'hello', state: 'completed' });
  t.match(link.messages.at(-1), { type: 'exit', state: 'completed', code: 0 });
  t.equal((await worker.request('GET', '/jobs/no-such-job/link')).status, 404);
});
