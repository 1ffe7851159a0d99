/**
 * Where the worker's kernel confinement (`worker.confinement`) cannot work on this machine, the
 * demo still runs: once, without it, and says so. Read from the schema, so the demo follows
 * whatever values the worker offers (and does nothing where the key does not exist).
 */
import { CONFIG_SCHEMA } from '../../core/config-schema.ts';

/** Values that mean "no kernel confinement", in order of preference. */
const UNCONFINED = ['unconfined', 'none', 'off'];
const CONFINEMENT_TROUBLE = /confine|bubblewrap|bwrap|namespace|landlock|seccomp/i;

/** The retry to make after the worker failed to start with `error`, or null when there is none. */
export function confinementFallback(error: unknown): { note: string; worker: Record<string, unknown> } | null {
  const message = (error as Error)?.message ?? '';
  if (!CONFINEMENT_TROUBLE.test(message)) return null;
  const worker = CONFIG_SCHEMA.worker;
  const field = worker?.kind === 'object' ? worker.fields.confinement : undefined;
  if (field === undefined || field.kind !== 'enum') return null;
  const value = UNCONFINED.find((v) => field.values.includes(v));
  if (value === undefined) return null;
  // The worker's message is long (it carries the whole fix); the demo says only why.
  const why = /cannot be confined here: (.*?)(?:\. Fix:|$)/s.exec(message)?.[1] ?? message.replace(/^the loopback worker /, '');
  return {
    note: `kernel confinement cannot work here (${why}); the demo worker runs with worker.confinement "${value}" (docs/WORKER.md)`,
    worker: { confinement: value },
  };
}
