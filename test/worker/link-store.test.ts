// The link store through its factory: one bound for every job's kept link messages, and a
// finished link that a reader has read to its end gives its messages back.
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createLinkStore } from '../../worker/callbacks/link-store.ts';
import type { JobLink } from '../../worker/callbacks/link.ts';

const options = (id: string) => ({
  graceMs: 60_000, retainBytes: 8 << 20, maxBufferedBytes: 32 << 20, pingMs: 60_000,
  hello: () => ({ type: 'hello', protocol: 1, job_id: id }), onLost: () => undefined,
});
const stderr = (kib: number) => ({ type: 'stderr', data: 'x'.repeat(kib * 1024) });

/** Serves `link` on a real socket and reads it to the end; resolves with the lines. */
async function readToEnd(t: Test, link: JobLink, after = 0): Promise<Record<string, any>[]> {
  const server: Server = createServer((_req, res) => link.attach(res, after));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const text = await new Promise<string>((resolve, reject) => {
    get(`http://127.0.0.1:${port}/`, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

t.test('many jobs: the bytes kept stay under the bound, ended jobs emptied oldest first', async (t) => {
  const store = createLinkStore({ maxBytes: 4 << 20 });
  const links: JobLink[] = [];
  for (let job = 0; job < 40; job += 1) {
    const link = store.create(options(`job-${job}`));
    links.push(link);
    for (let i = 0; i < 8; i += 1) link.send(stderr(128)); // 1 MiB per job
    link.finish({ type: 'exit', state: 'completed', code: 0 });
    t.ok(store.bytes <= store.maxBytes, `after job ${job}: ${store.bytes} bytes kept, bound ${store.maxBytes}`);
  }
  const kept = links.map((link) => link.retainedBytes);
  t.ok(kept.slice(0, 30).every((bytes) => bytes < 1024), 'the oldest ended jobs keep only their exit message');
  t.ok((kept.at(-1) as number) > 1 << 20, 'the newest ended job still has everything, for a late reader');
  t.equal(store.bytes, kept.reduce((a, b) => a + b, 0), "the store's total is the sum of its links");
});

t.test('running jobs are trimmed only when ended ones cannot make room, and a reattach then sees the gap', async (t) => {
  const store = createLinkStore({ maxBytes: 1 << 20 });
  const a = store.create(options('a'));
  const b = store.create(options('b'));
  for (let i = 0; i < 12; i += 1) {
    a.send(stderr(64));
    b.send(stderr(64));
  }
  t.ok(store.bytes <= store.maxBytes, `${store.bytes} bytes kept for two running jobs, bound ${store.maxBytes}`);
  a.finish({ type: 'exit', state: 'completed', code: 0 });
  const lines = await readToEnd(t, a);
  t.match(lines[0], { type: 'hello' });
  t.match(lines[1], { type: 'gap', from: 1 });
  t.match(lines.at(-1), { type: 'exit', state: 'completed' });
});

t.test('a reader who reads a finished link to its end frees it; a later reattach still hears the exit', async (t) => {
  const store = createLinkStore({ maxBytes: 64 << 20 });
  const link = store.create(options('j'));
  for (let i = 0; i < 16; i += 1) link.send(stderr(256));
  link.finish({ type: 'exit', state: 'completed', code: 0 });
  t.ok(store.bytes > 4 << 20, `before reading: ${store.bytes} bytes`);
  const lines = await readToEnd(t, link);
  t.equal(lines.filter((m) => m.type === 'stderr').length, 16, 'the reader got every message');
  t.match(lines.at(-1), { type: 'exit', id: 17 });
  // Released once the connection has stayed healthy a moment after the last byte (link.ts).
  for (const deadline = Date.now() + 10_000; store.bytes >= 1024 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(store.bytes < 1024, `after reading to the end: ${store.bytes} bytes kept (only the exit message)`);
  const again = await readToEnd(t, link);
  t.match(again, [{ type: 'hello' }, { type: 'gap', from: 1, to: 16 }, { type: 'exit', id: 17 }]);
  link.close();
  t.equal(store.bytes, 0, 'a forgotten job keeps nothing');
});

t.test('a reader cut off before the end keeps the messages for its resume', async (t) => {
  const store = createLinkStore({ maxBytes: 64 << 20 });
  const link = store.create(options('r'));
  const server: Server = createServer((_req, res) => link.attach(res, 0));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const closed = new Promise<void>((resolve) => {
    const req = get(`http://127.0.0.1:${port}/`, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => resolve());
  });
  await closed;
  for (let i = 0; i < 8; i += 1) link.send(stderr(256));
  link.finish({ type: 'exit', state: 'completed', code: 0 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.ok(store.bytes > 2 << 20, 'nothing released: no reader had the end');
  const lines = await readToEnd(t, link, 0);
  t.equal(lines.filter((m) => m.type === 'stderr').length, 8, 'the resume gets everything');
});
