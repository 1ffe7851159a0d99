/** The workers to probe, from the config's `workers` (each named: its `name`, else its URL's host:port). */
import type { WorkerEntry } from '../core/config.ts';
import type { ProbeTarget } from './probe.ts';

/** A label for a worker entry: its name, else host:port of its URL. */
export function workerLabel(entry: Pick<WorkerEntry, 'name' | 'url'>): string {
  if (entry.name !== '') return entry.name;
  try {
    return new URL(entry.url).host;
  } catch {
    return entry.url;
  }
}

/** Every configured worker as a probe target. */
export function probeTargets(workers: readonly WorkerEntry[]): ProbeTarget[] {
  return workers.map((entry) => ({ name: workerLabel(entry), url: entry.url, apiKey: entry.apiKey }));
}
