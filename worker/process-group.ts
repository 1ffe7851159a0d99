/** Waits for a killed process group to be really gone, so "cancelled" means no process of the job is left. */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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
