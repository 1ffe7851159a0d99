import { generateSessionLog } from '/work/main/analyze/generate.ts';
const t = performance.now();
let ins = 0;
generateSessionLog('/tmp/az/g6.db', { rows: 300000, onProgress: (d, n) => { if (d === n) ins = performance.now() - t; } });
const total = performance.now() - t;
const m = /VmHWM:\s+(\d+)/.exec((await import("node:fs")).readFileSync('/proc/self/status', 'utf8'));
console.log(process.argv[2], 'insert', (ins / 1000).toFixed(1), 'indexes', ((total - ins) / 1000).toFixed(1), 'hwm MB', Number(m?.[1]) / 1024 | 0);
