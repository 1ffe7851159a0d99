/**
 * A stand-in for PMS's `/status/sessions`, run as its own process (inside the test's network
 * namespace, where the shaper's loopback is): `node fake-sessions-server.ts XML_FILE TOKEN`.
 * Serves the file's current contents to requests carrying the token (401 otherwise), prints
 * `{"port":N}` once listening and `{"served":N}` after each answer.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [xmlFile, token] = process.argv.slice(2) as [string, string];
let served = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const given = req.headers['x-plex-token'] ?? url.searchParams.get('X-Plex-Token');
  if (url.pathname !== '/status/sessions') return void res.writeHead(404).end();
  if (given !== token) return void res.writeHead(401).end('<html><head><title>Unauthorized</title></head></html>');
  res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(readFileSync(xmlFile));
  process.stdout.write(`${JSON.stringify({ served: ++served })}\n`);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
