// The cartridge's requests to a pinned https worker share one kept-alive connection (health,
// /paths/stat, dispatch): counted on a real TLS server on 127.0.0.1. The pin is checked when a
// connection opens; one the worker closes, or says it closes, is never written to again.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { requestJson, warmConnection } from '../../cartridge/http.ts';
import { helloSent } from '../../cartridge/pinned-connections.ts';
import { registerPins } from '../../core/worker-pins.ts';

const dir = t.testdir();
const [certPath, keyPath] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=plexbeam-worker', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
const cert = readFileSync(certPath);
const key = readFileSync(keyPath);
const fingerprint = new X509Certificate(cert).fingerprint256;

type Reply = (url: string, res: import('node:http').ServerResponse) => void;

/** A TLS worker on port 0 answering with `reply`; `connections()` counts the handshakes it completed. */
async function startWorker(t: Test, reply: Reply): Promise<{ url: string; server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer({ cert, key }, (req, res) => {
    req.resume().on('end', () => reply(req.url ?? '', res));
  });
  server.on('secureConnection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections: () => connections };
}

const json: Reply = (url, res) => res.writeHead(url === '/transcode' ? 202 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ url }));

t.test('health and dispatch to a pinned worker go over one connection', async (t) => {
  const worker = await startWorker(t, json);
  registerPins([{ url: worker.url, fingerprint }]);
  const health = await requestJson(`${worker.url}/health`, { signal: AbortSignal.timeout(5000) });
  const dispatch = await requestJson(`${worker.url}/transcode`, { method: 'POST', body: { argv: [] }, headers: { 'x-api-key': 'k' }, signal: AbortSignal.timeout(5000) });
  t.match(health, { status: 200, body: { url: '/health' } });
  t.match(dispatch, { status: 202, body: { url: '/transcode' } });
  t.equal(worker.connections(), 1, 'one handshake for both');
});

t.test('a connection opened ahead (the health from the fleet cache) is the one the dispatch takes', async (t) => {
  const worker = await startWorker(t, json);
  registerPins([{ url: worker.url, fingerprint }]);
  warmConnection(worker.url, 5000);
  const hello = helloSent();
  t.not(hello, null, 'a connection is opening');
  await hello;
  t.equal(helloSent(), null, 'its hello is out');
  t.match(await requestJson(`${worker.url}/transcode`, { method: 'POST', body: {} }), { status: 202 });
  t.equal(worker.connections(), 1);
  // Plain http workers and unpinned ones are never opened ahead.
  warmConnection('http://127.0.0.1:9/', 5000);
  t.equal(helloSent(), null);
});

t.test('a chunked answer is read whole, and the connection still serves the next request', async (t) => {
  const worker = await startWorker(t, (url, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"url":');
    setTimeout(() => res.end(`${JSON.stringify(url)}}`), 20);
  });
  registerPins([{ url: worker.url, fingerprint }]);
  const first = await requestJson(`${worker.url}/one`);
  const second = await requestJson(`${worker.url}/two`);
  t.strictSame([first.body, second.body], [{ url: '/one' }, { url: '/two' }]);
  t.equal(worker.connections(), 1);
});

t.test('a connection the worker says it closes, or closed while idle, is not used again', async (t) => {
  let close = true;
  const worker = await startWorker(t, (url, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) }).end(JSON.stringify({ url }));
  });
  registerPins([{ url: worker.url, fingerprint }]);
  await requestJson(`${worker.url}/closes`);
  close = false;
  t.match(await requestJson(`${worker.url}/after-close`), { status: 200, body: { url: '/after-close' } });
  t.equal(worker.connections(), 2, 'a new connection after "connection: close"');
  worker.server.closeIdleConnections();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.match(await requestJson(`${worker.url}/after-idle-close`), { status: 200, body: { url: '/after-idle-close' } });
  t.equal(worker.connections(), 3, 'a new connection after the worker closed the idle one');
  // Idle for more than a second: closed rather than reused (never written as the worker closes it).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.match(await requestJson(`${worker.url}/after-long-idle`), { status: 200 });
  t.equal(worker.connections(), 4, 'a new connection after a long idle time');
});

t.test('a wrong pin is refused before anything is sent', async (t) => {
  const seen: string[] = [];
  const worker = await startWorker(t, (url, res) => {
    seen.push(url);
    json(url, res);
  });
  registerPins([{ url: worker.url, fingerprint: fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00') }]);
  await t.rejects(requestJson(`${worker.url}/health`), { code: 'CERT_FINGERPRINT_MISMATCH' });
  t.strictSame(seen, [], 'no request reached the worker');
});
