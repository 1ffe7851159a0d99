/**
 * Benchmark: `plexbeam analyze` on a million sessions. Generates the log into a temporary folder
 * (in a child process), then runs the real CLI for the summary, --remote-feasibility and
 * --patterns, each in a fresh process: wall time from spawn to exit, peak RSS (VmHWM) at exit.
 * Alone: `scripts/with-node node bench/analyze.ts [--rows N] [--runs N]`.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateSessionLog } from './session-log/generate.ts';

/** One measurement: a whole process, start to exit. */
export interface BenchRow {
  name: string;
  seconds: number;
  peakRssMb: number;
}

const self = fileURLToPath(import.meta.url);
const cli = fileURLToPath(new URL(`../cli/main${extname(self)}`, import.meta.url));
// Loaded first in each child: writes the process's peak RSS (kB) to a file as it exits.
const PEAK_RSS_HOOK = `import { readFileSync, writeFileSync } from 'node:fs';
process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? kb); } catch {}
  writeFileSync(process.env.PLEXBEAM_BENCH_RSS_FILE, String(kb));
});`;

/** Generates `rows` sessions, then times each analyze view `runs` times (the median is reported). */
export async function benchAnalyze(opts: { rows: number; runs?: number }): Promise<{ rows: BenchRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'plexbeam-bench-analyze-'));
  const db = join(dir, 'sessions.db');
  const hook = join(dir, 'peak-rss.mjs');
  writeFileSync(hook, PEAK_RSS_HOOK);
  const config = join(dir, 'config.json');
  // Workers that refuse at once (a port just freed), so feasibility uses their last-known capabilities.
  const port = await freePort();
  writeFileSync(config, JSON.stringify({
    dataDir: dir,
    healthTimeoutMs: 500,
    workers: [{ url: `http://127.0.0.1:${port}`, apiKey: 'bench', name: 'gpu-box' }, { url: `http://127.0.0.1:${port}/nuc`, apiKey: 'bench', name: 'nuc' }],
    worker: { mediaRoots: ['/mnt/media'], pathMap: [{ from: '/data/media', to: '/mnt/media' }] },
  }));
  const rows: BenchRow[] = [];
  try {
    // Its peak RSS counts the database file it maps to rebuild the indexes (page cache, not heap).
    rows.push(await measure(`generate ${opts.rows.toLocaleString('en')} sessions (indexes included; RSS counts the mmapped file)`, [self, '--generate', db, String(opts.rows)], hook));
    const views: [string, string[]][] = [
      ['analyze (summary)', []],
      ['analyze --remote-feasibility', ['--remote-feasibility']],
      ['analyze --patterns', ['--patterns']],
    ];
    for (const [name, flags] of views) {
      const runs: BenchRow[] = [];
      for (let run = 0; run < (opts.runs ?? 3); run += 1) runs.push(await measure(name, [cli, 'analyze', '--config', config, '--db', db, '--json', ...flags], hook));
      const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
      rows.push({ name: `${name}, median of ${runs.length}`, seconds: sorted[Math.floor(sorted.length / 2)] ?? NaN, peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows };
}

/** Runs `node args…` with the peak-RSS hook; stdout is discarded, a failure throws with its stderr. */
function measure(name: string, args: string[], hook: string): Promise<BenchRow> {
  const rssFile = `${hook}.${process.hrtime.bigint()}.kb`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PLEXBEAM_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${name}: exit ${code}\n${stderr}`));
      resolve({ name, seconds: Math.round(seconds * 1000) / 1000, peakRssMb: Math.round(Number(readFileSync(rssFile, 'utf8')) / 102.4) / 10 });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** The results as an aligned table, with the machine's size and load (times depend on both). */
export function formatBenchAnalyze(rows: readonly BenchRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = rows.map((r) => `  ${r.name.padEnd(width)}  ${r.seconds.toFixed(2).padStart(7)} s  ${r.peakRssMb.toFixed(1).padStart(7)} MB peak RSS`);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `plexbeam analyze benchmark (${cpus().length} CPUs, load average ${load})\n${lines.join('\n')}\n`;
}

const args = process.argv.slice(2);
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (args[0] === '--generate') {
    generateSessionLog(args[1] as string, { rows: Number(args[2]) });
  } else {
    const option = (flag: string, fallback: number) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
    const { rows } = await benchAnalyze({ rows: option('--rows', 1_000_000), runs: option('--runs', 3) });
    process.stdout.write(formatBenchAnalyze(rows));
  }
}
