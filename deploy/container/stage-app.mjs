// Copies a set-up checkout's app into the image's /opt/plexbeam as install.sh stages it:
// bin, dist (without bench/test), scripts, package files, the production node_modules, the Node.js
// binary, and deploy/container (entrypoint, health check). Usage: node stage-app.mjs FROM TO
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const [, , from, to] = process.argv;
mkdirSync(to, { recursive: true });
for (const item of ['bin', 'dist', 'scripts', 'package.json', 'package-lock.json', 'README.md', 'deploy/container', 'deploy/plex-container']) {
  if (existsSync(join(from, item))) cpSync(join(from, item), join(to, item), { recursive: true, verbatimSymlinks: true });
}
rmSync(join(to, 'dist/bench'), { recursive: true, force: true });
rmSync(join(to, 'dist/test'), { recursive: true, force: true });
const lock = JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8'));
let count = 0;
for (const [key, info] of Object.entries(lock.packages ?? {})) {
  if (key === '' || info.dev || info.link || !key.startsWith('node_modules/')) continue;
  const source = join(from, key);
  if (!existsSync(source)) {
    if (info.optional || info.devOptional) continue;
    throw new Error(`${key} is in package-lock.json but not installed: run ./setup.sh again`);
  }
  cpSync(source, join(to, key), { recursive: true, verbatimSymlinks: true, filter: (path) => relative(source, path).split(sep)[0] !== 'node_modules' });
  count += 1;
}
mkdirSync(join(to, '.runtime/node/bin'), { recursive: true });
cpSync(join(from, '.runtime/node/bin/node'), join(to, '.runtime/node/bin/node'));
if (existsSync(join(from, '.runtime/node/LICENSE'))) cpSync(join(from, '.runtime/node/LICENSE'), join(to, '.runtime/node/LICENSE'));
// better-sqlite3 is a native addon: it must load on exactly this Node.js.
const { createRequire } = await import('node:module');
const Database = createRequire(join(to, 'package.json'))('better-sqlite3');
new Database(':memory:').close();
process.stdout.write(`plexbeam image: staged the app with ${count} production packages\n`);
