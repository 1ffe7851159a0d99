/**
 * Benchmark: the cartridge's start-up. Times, in one run and interleaved, from the exec of the
 * installed shim (clean environment, as `env -i PATH=…` gives) to a fake worker on 127.0.0.1
 * receiving `POST /transcode`; beside bare `node -e 0` on the same runtime, a direct exec of the
 * stand-in `Plex Transcoder.real -version`, and the shim passing `-version` through to it.
 * Needs the build (`npm run build`). Alone: `scripts/with-node node bench/cartridge-start.ts [--runs N]`.
 * With PLEXBEAM_BENCH_BEFORE=<another build's dist/cartridge/main.js> the HTTPS cases also run,
 * interleaved, through a shim of that build: a before/after comparison in one run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { appRoot } from '../core/cartridge-paths.ts';
import { renderShim } from '../core/cartridge-shim.ts';
import { pino } from 'pino';
import { createFleetMonitor } from '../server/monitor.ts';

export interface StartRow {
  name: string;
  medianMs: number;
  /** Interquartile range (p75 − p25), in ms. */
  spreadMs: number;
}

const CLEAN_PATH = 'PATH=/usr/local/bin:/usr/bin:/bin';

/** Runs each case `runs` times (after two warm-up rounds), interleaved, and summarises them. */
export async function benchCartridgeStart(opts: { runs: number }): Promise<{ rows: StartRow[] }> {
  const root = appRoot();
  const cartridgeMain = join(root, 'dist', 'cartridge', 'main.js');
  if (!existsSync(cartridgeMain)) throw new Error(`${cartridgeMain} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'plexbeam-bench-cartridge-'));
  const worker = await startFakeWorker();
  // The same worker over HTTPS with a pinned self-signed certificate (when openssl is here), and
  // plexbeam-server's monitor keeping a fleet cache of the plain one fresh.
  const tls = makeCertificate(dir);
  const tlsWorker = tls === null ? null : await startFakeWorker(tls);
  const fleetFile = join(dir, 'fleet.json');
  const watched = [{ url: worker.url, apiKey: 'k', name: '' }, ...(tlsWorker === null || tls === null ? [] : [{ url: tlsWorker.url, apiKey: 'k', name: '', fingerprint: tls.fingerprint }])];
  const monitor = createFleetMonitor({ workers: watched, fleetFile, intervalMs: 2000, timeoutMs: 1500, log: pino({ level: 'silent' }) });
  await monitor.start();
  try {
    mkdirSync(join(dir, 'plex'));
    const shim = join(dir, 'plex', 'Plex Transcoder');
    writeFileSync(shim, renderShim({ nodePath: process.execPath, cartridgeMain }), { mode: 0o755 });
    const beforeMain = process.env.PLEXBEAM_BENCH_BEFORE;
    const beforeShim = join(dir, 'plex', 'Plex Transcoder (before)');
    if (beforeMain !== undefined && beforeMain !== '') writeFileSync(beforeShim, renderShim({ nodePath: process.execPath, cartridgeMain: beforeMain }), { mode: 0o755 });
    copyFileSync(join(root, 'test', 'fixtures', 'plex-transcoder-real'), `${shim}.real`);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), workers: [{ url: worker.url, apiKey: 'k' }] }));
    const cachedConfig = join(dir, 'config-cached.json');
    writeFileSync(cachedConfig, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), workers: [{ url: worker.url, apiKey: 'k' }], server: { fleetFile } }));
    const tlsConfig = join(dir, 'config-tls.json');
    const tlsCachedConfig = join(dir, 'config-tls-cached.json');
    if (tlsWorker !== null && tls !== null) {
      writeFileSync(tlsConfig, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), workers: [{ url: tlsWorker.url, apiKey: 'k', fingerprint: tls.fingerprint }] }));
      writeFileSync(tlsCachedConfig, JSON.stringify({ dataDir: join(dir, 'data'), plexDir: join(dir, 'plex'), workers: [{ url: tlsWorker.url, apiKey: 'k', fingerprint: tls.fingerprint }], server: { fleetFile } }));
    }
    const job = ['-i', '/media/in.mkv', '-c:v', 'libx264', '-c:a', 'aac', '-f', 'segment', '-segment_list', 'http://127.0.0.1:32400/video/:/transcode/session/b/1/manifest', 'media-%05d.ts'];
    // The stand-in runs `node` from PATH: this runtime's.
    const runtimePath = `PATH=${join(process.execPath, '..')}:/usr/bin:/bin`;
    const cases: { name: string; run: () => Promise<number> }[] = [
      { name: 'bare node -e 0 (exec to exit)', run: () => timeExit([CLEAN_PATH, process.execPath, '-e', '0']) },
      { name: 'shim: exec to worker receiving POST /transcode', run: () => timeDispatch(worker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${config}`, shim, ...job]) },
      { name: 'Plex Transcoder.real -version, direct (exec to exit)', run: () => timeExit([runtimePath, `${shim}.real`, '-version']) },
      { name: 'shim passing -version through (exec to exit)', run: () => timeExit([runtimePath, `PLEXBEAM_CONFIG=${config}`, shim, '-version']) },
      { name: 'shim, health from the fresh fleet cache: exec to the job arriving', run: () => timeDispatch(worker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${cachedConfig}`, shim, ...job]) },
      ...(tlsWorker === null ? [] : [
        { name: 'shim, HTTPS worker with a pinned certificate: exec to the job arriving', run: () => timeDispatch(tlsWorker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${tlsConfig}`, shim, ...job]) },
        { name: 'shim, pinned HTTPS worker, health from the cache: exec to the job arriving', run: () => timeDispatch(tlsWorker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${tlsCachedConfig}`, shim, ...job]) },
      ]),
      ...(tlsWorker === null || beforeMain === undefined || beforeMain === '' ? [] : [
        { name: 'before build: shim, HTTPS worker with a pinned certificate: exec to the job arriving', run: () => timeDispatch(tlsWorker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${tlsConfig}`, beforeShim, ...job]) },
        { name: 'before build: shim, pinned HTTPS worker, health from the cache: exec to the job arriving', run: () => timeDispatch(tlsWorker, [CLEAN_PATH, `PLEXBEAM_CONFIG=${tlsCachedConfig}`, beforeShim, ...job]) },
      ]),
    ];
    const samples = cases.map(() => [] as number[]);
    for (let round = -2; round < opts.runs; round += 1) {
      for (const [index, c] of cases.entries()) {
        const ms = await c.run();
        if (round >= 0) samples[index]?.push(ms);
      }
    }
    return { rows: cases.map((c, index) => summarise(c.name, samples[index] ?? [])) };
  } finally {
    await monitor.close();
    if (tlsWorker !== null) await new Promise((resolve) => tlsWorker.server.close(resolve));
    await new Promise((resolve) => worker.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts `env -i <args>` and resolves with the ms until it exits. */
function timeExit(args: string[]): Promise<number> {
  const start = performance.now();
  const child = spawn('/usr/bin/env', ['-i', ...args], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - start));
  });
}

/** Starts `env -i <args>` and resolves with the ms until the fake worker receives the job. */
async function timeDispatch(worker: FakeWorker, args: string[]): Promise<number> {
  const received = new Promise<number>((resolve) => (worker.onJob = resolve));
  const start = performance.now();
  const child = spawn('/usr/bin/env', ['-i', ...args], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const at = await received;
  await exited;
  return at - start;
}

interface FakeWorker {
  url: string;
  server: Server;
  onJob: (at: number) => void;
}

/** A self-signed certificate made with openssl in `dir`, and its SHA-256 fingerprint; null without openssl. */
function makeCertificate(dir: string): { cert: Buffer; key: Buffer; fingerprint: string } | null {
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=bench', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  if (made.status !== 0) return null;
  const pem = readFileSync(cert);
  return { cert: pem, key: readFileSync(key), fingerprint: new X509Certificate(pem).fingerprint256 };
}

/**
 * A worker that is healthy, sees Plex's paths (its `POST /paths/stat` answers as a real worker's
 * does for a shared media folder, so the cartridge's `auto` storage keeps that answer for 5 minutes
 * in storage-cache.json, as successive plays do), accepts every job, and ends its link at once
 * (exit 0); over HTTPS with `tls`.
 */
async function startFakeWorker(tls?: { cert: Buffer; key: Buffer }): Promise<FakeWorker> {
  const worker = { onJob: (_at: number) => undefined } as FakeWorker;
  const handler: RequestListener = (req, res) => {
    if (req.url === '/transcode') worker.onJob(performance.now());
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/health') return json(200, { status: 'ok', version: 'bench', hwaccel: 'software', encoders: ['libx264'], jobs: { running: 0, queued: 0, max: 4 } });
      if (req.url === '/transcode') return json(202, { job_id: 'bench', state: 'queued' });
      if (req.url === '/paths/stat') return json(200, { results: statAll(body) });
      if (req.url?.startsWith('/jobs/bench/link')) return res.writeHead(200).end('{"type":"hello","protocol":1}\n{"type":"exit","id":1,"state":"completed","code":0,"signal":null}\n');
      json(404, { error: 'no route' });
    });
  };
  worker.server = tls === undefined ? createServer(handler) : (createHttpsServer(tls, handler) as unknown as Server);
  worker.server.listen(0, '127.0.0.1');
  await new Promise((resolve) => worker.server.once('listening', resolve));
  worker.url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${(worker.server.address() as AddressInfo).port}`;
  return worker;
}

/** `/paths/stat` results for `{ paths }`: each a readable file (an input) or a writable folder (where outputs go), inside the media root. */
function statAll(body: string): unknown[] {
  let paths: unknown = [];
  try {
    paths = (JSON.parse(body) as { paths?: unknown }).paths;
  } catch {
    // not JSON: no paths
  }
  return (Array.isArray(paths) ? paths : []).map((path) => {
    const file = typeof path === 'string' && /\.[a-z0-9]+$/i.test(path);
    return { path, worker_path: path, mapped: path, root: 'media', exists: true, kind: file ? 'file' : 'directory', readable: true, writable: !file };
  });
}

function summarise(name: string, samples: number[]): StartRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { name, medianMs: at(0.5), spreadMs: at(0.75) - at(0.25) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const index = process.argv.indexOf('--runs');
  const runs = index > 0 ? Number(process.argv[index + 1]) : 20;
  const { rows } = await benchCartridgeStart({ runs });
  process.stdout.write(`cartridge start-up, ${runs} runs each, interleaved (median, spread = p75 - p25)\n`);
  for (const row of rows) process.stdout.write(`  ${row.name.padEnd(56)} ${row.medianMs.toFixed(1).padStart(7)} ms  ±${row.spreadMs.toFixed(1)} ms\n`);
  const [bare, shim] = rows;
  process.stdout.write(`ratio shim → job received / bare node start: ${((shim?.medianMs ?? NaN) / (bare?.medianMs ?? NaN)).toFixed(2)}× (goal: at most 2×)\n`);
}
