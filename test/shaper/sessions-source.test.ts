/** The PMS poller on a real socket: the token goes in a header, a 401 makes it read the token again. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createPmsSessionsSource } from '../../shaper/sessions-source.ts';
import { sessionsXml } from './sessions-fixture.ts';

t.test('asks /status/sessions with X-Plex-Token; re-reads the token after a 401', async (t) => {
  const seen: { url: string; token: string | undefined }[] = [];
  let valid = 'new-token';
  const server = createServer((req, res) => {
    const token = req.headers['x-plex-token'] as string | undefined;
    seen.push({ url: req.url ?? '', token });
    if (token !== valid) return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'text/xml' }).end(sessionsXml([{ address: '203.0.113.9', state: 'playing', bandwidth: 5000 }]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const tokens = ['old-token', 'new-token'];
  let reads = 0;
  const source = createPmsSessionsSource({ pmsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: async () => tokens[reads++] as string });

  await t.rejects(source.read(), { message: /HTTP 401/ }, 'the stale token is refused');
  const sessions = await source.read();
  t.same(sessions.map((s) => [s.address, s.state, s.bandwidthKbps]), [['203.0.113.9', 'playing', 5000]]);
  t.equal(reads, 2, 'the token was read again after the 401');
  await source.read();
  t.equal(reads, 2, 'and then kept');
  t.ok(seen.every((r) => r.url === '/status/sessions'), 'never in the URL');
  valid = 'x';
});
