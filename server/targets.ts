/**
 * The workers to probe, from the config's `workers`: each URL entry as it is, each DNS pool
 * (`{ "dns", "port" }`) as one target per address its name resolves to now.
 */
import { lookup } from 'node:dns/promises';
import type { WorkerEntry } from '../core/config.ts';
import type { ProbeTarget } from './probe.ts';

/** Resolves a host name to all its addresses (node:dns lookup: /etc/hosts, then DNS, as the system does). */
export type ResolveName = (name: string) => Promise<string[]>;

const systemResolve: ResolveName = async (name) => (await lookup(name, { all: true })).map((a) => a.address);

/** A label for a worker entry: its name, else host:port of its URL. */
export function workerLabel(entry: Pick<WorkerEntry, 'name' | 'url'>): string {
  if (entry.name !== '') return entry.name;
  try {
    return new URL(entry.url).host;
  } catch {
    return entry.url;
  }
}

/** Every configured worker as probe targets (DNS pools resolved now; a name that does not resolve is one target that cannot be probed). */
export async function probeTargets(workers: readonly WorkerEntry[], resolve: ResolveName = systemResolve): Promise<ProbeTarget[]> {
  const lists = await Promise.all(workers.map(async (entry): Promise<ProbeTarget[]> => {
    const dns = entry.dns ?? '';
    if (dns === '') return [{ name: workerLabel(entry), url: entry.url, apiKey: entry.apiKey, ...(entry.fingerprint ? { fingerprint: entry.fingerprint } : {}) }];
    const label = entry.name || dns;
    const port = entry.port ?? 8765;
    let addresses: string[];
    try {
      addresses = [...new Set(await resolve(dns))].sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return [{ name: label, url: `http://${dns}:${port}`, apiKey: entry.apiKey, pool: dns, unresolved: `${dns} does not resolve (${code ?? (error as Error).message})` }];
    }
    return addresses.map((address) => {
      const host = address.includes(':') ? `[${address}]` : address;
      return { name: `${label}/${address}`, url: `http://${host}:${port}`, apiKey: entry.apiKey, pool: dns };
    });
  }));
  return lists.flat();
}
