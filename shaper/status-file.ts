/** The shaper's status snapshot, `<dataDir>/shaper-state.json`, read by `plexbeam shaper status`. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One client as the service last saw it. */
export interface ClientStatus {
  readonly address: string;
  /** `null` for an exempt client (never shaped). */
  readonly classid: string | null;
  readonly exempt: boolean;
  readonly rateBits: number | null;
  readonly ceilBits: number | null;
  /** Bits per second through its class over the last poll (tc statistics). */
  readonly measuredBits: number | null;
  readonly sessions: readonly { readonly id: string; readonly state: string; readonly bandwidthKbps: number | null; readonly player: string | null }[];
  /** ISO time it loses its class unless it plays again (null while PMS lists it). */
  readonly releaseAt: string | null;
}

/** The whole snapshot. */
export interface ShaperStatus {
  readonly running: boolean;
  readonly pid: number;
  readonly interface: string;
  readonly ceilBits: number;
  readonly updatedAt: string;
  /** Where sessions came from last: `pms`, `log`, or null before the first answer. */
  readonly source: string | null;
  readonly lastError: string | null;
  readonly statusLine: string;
  readonly clients: readonly ClientStatus[];
  /** The latest changes made to tc, newest last. */
  readonly changes: readonly { readonly at: string; readonly change: string }[];
}

/** Where the snapshot lives. */
export function shaperStatusPath(dataDir: string): string {
  return join(dataDir, 'shaper-state.json');
}

/** Writes the snapshot atomically (a temporary file, then a rename). */
export async function writeShaperStatus(path: string, status: ShaperStatus): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/** Reads the snapshot, or null when there is none. */
export async function readShaperStatus(path: string): Promise<ShaperStatus | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ShaperStatus;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return null;
    throw error;
  }
}
