/** Reads a process's identity from /proc/<pid>/stat: state, process group, and start time (which tells a recycled pid apart). */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, T (stopped), Z (zombie) … */
  state: string;
  pgrp: number;
  /** Clock ticks after boot at which the process started (field 22). */
  startTime: number;
}

/** The process's stat, or null when there is no such process. */
export function readProcStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: fields[0] ?? '?', pgrp: Number(fields[2]), startTime: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** This boot's id: start times only compare within one boot. */
export function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
