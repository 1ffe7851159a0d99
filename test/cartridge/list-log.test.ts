/**
 * cartridge/list-log.ts: the last complete body relayed to each callback path, fed the link's
 * `callback` / `callback_data` messages as core/wire/link.ts reads them from the worker's lines.
 */
import t from 'tap';
import { readLinkLine } from '../../core/wire/link.ts';
import { createListLog, type ListBody } from '../../cartridge/list-log.ts';
import type { LinkMessage } from '../../cartridge/link-client.ts';

const LIST = '/video/:/transcode/session/s1/j1/manifest';
const PROGRESS = '/video/:/transcode/session/s1/j1/progress';

/** A link line as the worker sends it, read back as the cartridge does. */
function read(fields: Record<string, unknown>): LinkMessage {
  const line = readLinkLine(JSON.stringify({ id: 1, ...fields }));
  if (line.message === undefined) throw new Error(`not a link message: ${JSON.stringify(line)}`);
  return line.message as LinkMessage;
}
const callback = (seq: number, path: string, end = false) =>
  read({ type: 'callback', seq, origin: 'http://127.0.0.1:32400', method: 'POST', path, query: 'X-Plex-Http-Pipeline=infinite', headers: {}, end });
const data = (seq: number, body: string | Buffer, end: boolean, aborted?: boolean) =>
  read({ type: 'callback_data', seq, body_b64: Buffer.from(body).toString('base64'), end, ...(aborted === undefined ? {} : { aborted }) });

t.test('a body split over several callback_data messages is kept whole once it ends', async (t) => {
  const log = createListLog();
  const before = Date.now();
  log.feed(callback(1, LIST));
  log.feed(data(1, 'media-00000.ts,0.000000,1.000000\nmedia-000', false));
  t.equal(log.last(LIST), undefined, 'nothing until the end');
  log.feed(data(1, '01.ts,1.000000,2.000000\n', false));
  log.feed(data(1, '', true));
  const last = log.last(LIST) as ListBody;
  t.equal(last.body, 'media-00000.ts,0.000000,1.000000\nmedia-00001.ts,1.000000,2.000000\n');
  t.equal(last.path, LIST);
  t.ok(last.at >= before && last.at <= Date.now(), 'when it was complete');
  // The next list replaces it.
  log.feed(callback(2, LIST));
  log.feed(data(2, 'media-00002.ts,2.000000,3.000000\n', true));
  t.equal(log.last(LIST)?.body, 'media-00002.ts,2.000000,3.000000\n');
  t.equal(log.last('/other'), undefined);
});

t.test('interleaved requests are told apart by seq; bodies are kept per path', async (t) => {
  const log = createListLog();
  log.feed(callback(1, LIST));
  log.feed(callback(2, '/other/path'));
  log.feed(data(2, 'b', false));
  log.feed(data(1, 'a', false));
  log.feed(data(2, 'B', true));
  log.feed(data(1, 'A', true));
  t.equal(log.last(LIST)?.body, 'aA');
  t.equal(log.last('/other/path')?.body, 'bB');
});

t.test('a callback with end:true and no data is an empty body, complete at once', async (t) => {
  const log = createListLog();
  const seen: ListBody[] = [];
  log.listen((body) => seen.push(body));
  log.feed(callback(3, LIST, true));
  t.equal(log.last(LIST)?.body, '');
  t.same(seen.map((b) => b.body), ['']);
  // Data for a request already complete is not a new body.
  log.feed(data(3, 'late', true));
  t.equal(log.last(LIST)?.body, '');
  t.equal(seen.length, 1);
});

t.test('progress reports are not lists', async (t) => {
  const log = createListLog();
  const seen: ListBody[] = [];
  log.listen((body) => seen.push(body));
  for (const path of [PROGRESS, `${PROGRESS}/stream`]) {
    log.feed(callback(4, path));
    log.feed(data(4, 'progress=continue\n', true));
    t.equal(log.last(path), undefined, path);
  }
  log.feed(callback(5, PROGRESS, true));
  t.equal(log.last(PROGRESS), undefined);
  t.same(seen, []);
  // A path that only contains the word is a list.
  log.feed(callback(6, '/progressive/manifest', true));
  t.equal(log.last('/progressive/manifest')?.body, '');
});

t.test('an aborted body (ffmpeg died mid-request) is dropped; the last complete one stays', async (t) => {
  const log = createListLog();
  log.feed(callback(1, LIST));
  log.feed(data(1, 'media-00004.ts,4.000000,5.000000\n', true));
  log.feed(callback(2, LIST));
  log.feed(data(2, 'media-00005.ts,5.0000', false));
  log.feed(data(2, '', true, true));
  t.equal(log.last(LIST)?.body, 'media-00004.ts,4.000000,5.000000\n');
  // Its seq is closed: more data for it is ignored.
  log.feed(data(2, '00,6.000000\n', true));
  t.equal(log.last(LIST)?.body, 'media-00004.ts,4.000000,5.000000\n');
});

t.test('data for a seq never announced is ignored', async (t) => {
  const log = createListLog();
  log.feed(data(9, 'orphan', true));
  t.equal(log.last(''), undefined);
});

t.test('a body over 64 KiB keeps its tail (the latest rows)', async (t) => {
  const log = createListLog();
  const row = (n: number) => `media-${String(n).padStart(5, '0')}.ts,${n}.000000,${n + 1}.000000\n`;
  const rows = Array.from({ length: 6000 }, (_, n) => row(n));
  const whole = rows.join('');
  t.ok(whole.length > 2 * 65536, 'well over the bound');
  log.feed(callback(1, LIST));
  // In chunks of 40 rows, as the worker flushes what arrived together.
  for (let at = 0; at < rows.length; at += 40) log.feed(data(1, rows.slice(at, at + 40).join(''), at + 40 >= rows.length));
  const body = log.last(LIST)?.body as string;
  t.equal(body.length, 65536);
  t.equal(body, whole.slice(-65536));
  t.ok(body.endsWith(row(5999)));
  // Exactly at the bound: all of it.
  log.feed(callback(3, LIST));
  log.feed(data(3, whole.slice(0, 65536 - 100), false));
  log.feed(data(3, whole.slice(65536 - 100, 65536), true));
  t.equal(log.last(LIST)?.body, whole.slice(0, 65536));
  // One chunk bigger than the bound alone: its tail.
  log.feed(callback(2, LIST));
  log.feed(data(2, whole, true));
  t.equal(log.last(LIST)?.body, whole.slice(-65536));
});

t.test('a character split between two messages is decoded whole', async (t) => {
  const log = createListLog();
  const name = 'Amélie — 日本.ts';
  const bytes = Buffer.from(`${name},0.000000,1.000000\n`);
  const cut = Buffer.from('Amé').length - 1; // inside the two bytes of é
  log.feed(callback(1, LIST));
  log.feed(data(1, bytes.subarray(0, cut), false));
  log.feed(data(1, bytes.subarray(cut, cut + 8), false));
  log.feed(data(1, bytes.subarray(cut + 8), true));
  t.equal(log.last(LIST)?.body, `${name},0.000000,1.000000\n`);
});

t.test('listen: each completed body from then on, until unsubscribed', async (t) => {
  const log = createListLog();
  log.feed(callback(1, LIST));
  log.feed(data(1, 'before', true));
  const first: string[] = [];
  const second: string[] = [];
  const stopFirst = log.listen((body) => first.push(`${body.path} ${body.body}`));
  log.listen((body) => second.push(body.body));
  t.same(first, [], 'not called for bodies completed before');
  log.feed(callback(2, LIST));
  log.feed(data(2, 'one', false));
  t.same(first, [], 'not called before the end');
  log.feed(data(2, '', true));
  t.same(first, [`${LIST} one`]);
  t.equal(stopFirst(), true);
  log.feed(callback(3, LIST));
  log.feed(data(3, 'two', true));
  t.same(first, [`${LIST} one`], 'unsubscribed');
  t.same(second, ['one', 'two']);
  t.equal(stopFirst(), false, 'unsubscribing twice is harmless');
});

t.test('a gap in the link (messages the worker dropped) makes the bodies open then untrusted', async (t) => {
  const log = createListLog();
  log.feed(callback(1, LIST));
  log.feed(data(1, 'media-00000.ts,0.000000,1.000000\n', true));
  log.feed(callback(2, LIST));
  log.feed(data(2, 'media-00001.ts,1.000000,2.000000\n', false));
  log.feed(read({ type: 'gap', from: 7, to: 9 }));
  log.feed(data(2, 'media-00003.ts,3.000000,4.000000\n', true));
  t.equal(log.last(LIST)?.body, 'media-00000.ts,0.000000,1.000000\n', 'the body that lost chunks is not kept; the last whole one stays');
  log.feed(callback(3, LIST));
  log.feed(data(3, 'media-00004.ts,4.000000,5.000000\n', true));
  t.equal(log.last(LIST)?.body, 'media-00004.ts,4.000000,5.000000\n', 'bodies begun after the gap are kept');
});
