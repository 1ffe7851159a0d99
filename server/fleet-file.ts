/** Writes the fleet cache atomically: a temporary file beside it, then a rename (readers never see half a file). */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FleetCache } from '../core/fleet-cache.ts';

/** Replaces the file at `path` with `cache` (mode 0644: it holds no secret); creates its folder. */
export function writeFleetFile(path: string, cache: FleetCache): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(cache)}\n`, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
