/** Helpers for the library re-encode tests: waiting on a job, finding its ffmpeg, reading a process's state. */
import { readFileSync } from 'node:fs';
import type { RunningWorker } from './helpers.ts';
import { processGroup } from './helpers.ts';

/** Polls `GET /library/jobs/:id` until the job has ended; its last status. */
export async function waitForLibraryEnd(worker: RunningWorker, id: string, timeoutMs = 90_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await worker.request('GET', `/library/jobs/${id}`);
    if (!['queued', 'running', 'paused'].includes(json.state)) return json;
    if (Date.now() > deadline) throw new Error(`library job ${id} still ${json.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `GET /library/jobs/:id` until `predicate` holds for its status. */
export async function waitForLibraryStatus(worker: RunningWorker, id: string, predicate: (status: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await worker.request('GET', `/library/jobs/${id}`);
    if (predicate(json)) return json;
    if (Date.now() > deadline) throw new Error(`library job ${id}: no such status within ${timeoutMs} ms (last ${JSON.stringify(json)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid of the ffmpeg in process group `pgid` (the group leader is bwrap when confined), waiting for it to appear. */
export async function libraryFfmpeg(pgid: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const pid of processGroup(pgid)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'ffmpeg') return pid;
      } catch {
        // ended meanwhile
      }
    }
    if (Date.now() > deadline) throw new Error(`no ffmpeg in process group ${pgid} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
