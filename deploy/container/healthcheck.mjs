// The image's HEALTHCHECK: exit 0 when the worker's GET /health answers 200 (on its configured
// port, over HTTPS when worker.tlsCert is set), 1 otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const path = ['/tmp/plexbeam/config.json', process.env.PLEXBEAM_CONFIG, '/etc/plexbeam/config.json'].find((candidate) => candidate && existsSync(candidate));
let worker = {};
try {
  worker = (path && JSON.parse(readFileSync(path, 'utf8')).worker) || {};
} catch {
  // the worker itself says what is wrong with its config
}
const tls = Boolean(worker.tlsCert);
const request = tls ? httpsRequest : httpRequest;
const req = request({ host: '127.0.0.1', port: worker.port || 8765, path: '/health', timeout: 4000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (error) => {
  process.stderr.write(`health: ${error.message}\n`);
  process.exit(1);
});
req.end();
