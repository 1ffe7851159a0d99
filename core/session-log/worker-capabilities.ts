/** Keeps each worker's last `/health` answer, for feasibility reports when it does not answer. */
import type Database from 'better-sqlite3';
import { writing } from './failures.ts';
import type { WorkerCapabilitiesRow } from './types.ts';

/** The worker-capability methods of a session log. */
export interface WorkerCapabilityStore {
  /** Replaces what is known of `worker` (URL or name) with `health`, seen at `seenAt` (default now). */
  saveWorkerCapabilities(worker: string, health: unknown, seenAt?: number): void;
  /** Every worker's last known capabilities, by worker. */
  listWorkerCapabilities(): WorkerCapabilitiesRow[];
}

/** Creates the worker-capability methods over `db`, preparing their statements once. */
export function createWorkerCapabilityStore(db: Database.Database): WorkerCapabilityStore {
  const upsert = db.prepare(`INSERT INTO worker_capabilities (worker, seen_at, health) VALUES (?, ?, ?)
    ON CONFLICT (worker) DO UPDATE SET seen_at = excluded.seen_at, health = excluded.health`);
  const list = db.prepare<[], { worker: string; seenAt: number; health: string }>(
    'SELECT worker, seen_at AS seenAt, health FROM worker_capabilities ORDER BY worker',
  );

  return {
    saveWorkerCapabilities(worker, health, seenAt = Date.now()) {
      writing(`save capabilities of worker ${worker}`, () => upsert.run(worker, seenAt, JSON.stringify(health ?? null)));
    },

    listWorkerCapabilities() {
      return list.all().map((row) => ({ ...row, health: JSON.parse(row.health) }));
    },
  };
}
