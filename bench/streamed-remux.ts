/** One job through stream mode by the cartridge's own code (`runRemote` with the stream side), as rows 12a and 12d run it. */
import { performance } from 'node:perf_hooks';
import { runRemote } from '../cartridge/remote.ts';
import { planStream } from '../cartridge/stream/plan.ts';
import { createStreamSide } from '../cartridge/stream/side.ts';

/** Runs `argv` (in `cwd`) on the worker at `url` in stream mode; resolves with its wall time in ms, the plan and the POST included. */
export async function streamedRemux(url: string, apiKey: string, argv: string[], cwd: string): Promise<number> {
  const began = performance.now();
  const plan = await planStream(argv, cwd);
  const body = { session_id: `bench-${Date.now()}`, argv, env: {}, cwd, storage: { mode: 'stream', inputs: plan.inputs, versions: plan.versions } };
  const res = await fetch(new URL('/transcode', url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
  const accepted = (await res.json()) as { job_id?: string; error?: string };
  if (res.status !== 202 || accepted.job_id === undefined) throw new Error(`the worker refused the stream job: HTTP ${res.status} ${accepted.error ?? ''}`);
  const worker = { url, apiKey, name: 'bench-worker', health: {} as never, free: 1 };
  const stream = createStreamSide({ worker, jobId: accepted.job_id, plan, warn: (text) => process.stderr.write(`bench: ${text}\n`) });
  const outcome = await runRemote({ worker, jobId: accepted.job_id, dispatchAt: Date.now() }, {
    origins: new Set(),
    token: undefined,
    signals: { first: null, listen: () => () => undefined, release: () => undefined },
    onFirstOutput: () => undefined,
    commitment: { committed: false, cancelRemote: null },
    stream,
  });
  await stream.close();
  if (outcome.fate.code !== 0) throw new Error(`the stream job failed: ${outcome.error ?? outcome.ending}`);
  return performance.now() - began;
}
