/** The machine a benchmark ran on: the figures only mean something next to these. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  ffmpeg: string;
}

/** The 1-minute load average, sampled through the run. */
export interface LoadSamples {
  min: number;
  median: number;
  max: number;
}

/** Reads what the machine is (CPU model from /proc/cpuinfo, ffmpeg's version line). */
export function describeMachine(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  const ffmpeg = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' }).stdout?.split('\n')[0]?.replace(/ Copyright.*$/, '') ?? 'not found';
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    ffmpeg: ffmpeg || 'not found',
  };
}

/** Samples the 1-minute load average every 5 s until `stop()` (which also takes one last sample). */
export function sampleLoad(): { stop(): LoadSamples } {
  const samples = [loadavg()[0] ?? 0];
  const timer = setInterval(() => samples.push(loadavg()[0] ?? 0), 5000).unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0] ?? 0);
      const sorted = [...samples].sort((a, b) => a - b);
      return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
    },
  };
}

/** One line about the machine and its load during the run (other work running makes every time longer). */
export function formatMachine(info: MachineInfo, load: LoadSamples): string {
  return `${info.cpus} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB RAM, Linux ${info.kernel}, Node ${info.node}, ${info.ffmpeg}; `
    + `load average during the run ${load.median.toFixed(2)} (${load.min.toFixed(2)}–${load.max.toFixed(2)}); ${info.date}`;
}
