/** Waits for a killed process group to be really gone, so "cancelled" means no process of the job is left. */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The live members of group `pgid` with their command names (zombies left out). */
export function groupMembers(pgid: number): { pid: number; comm: string }[] {
  const members: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') members.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // gone while we looked
    }
  }
  return members;
}

/**
 * Signals every member of group `pgid` but the sandbox's own `bwrap` processes: SIGTERM must
 * reach ffmpeg (which then ends its files), not bwrap, whose death would SIGKILL the whole
 * sandbox at once and make an ffmpeg that ignores SIGTERM look as if it had obeyed.
 */
export function signalGroupInSandbox(pgid: number, signal: NodeJS.Signals): void {
  for (const { pid, comm } of groupMembers(pgid)) {
    if (comm === 'bwrap') continue;
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

/** True while a process of group `pgid` still runs: zombies (already dead, waiting to be reaped) do not count. */
function hasLiveMember(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false; // ESRCH: the group is empty
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // gone while we looked
    }
  }
  return false;
}

/**
 * Resolves once group `pgid` has no live process, or after `timeoutMs`. A SIGKILLed process
 * closes its files before it turns into a zombie, so on a loaded machine ffmpeg's pipes can
 * close while a member is still exiting.
 */
export async function waitForGroupGone(pgid: number, timeoutMs = 1000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; hasLiveMember(pgid) && Date.now() < deadline; ) await sleep(10);
}
