/** Loads the shared argv corpus: `shared/` sits beside the repository root (/work/shared, ../shared in CI). */
import { readFileSync } from 'node:fs';

/** The corpus folder, resolved from this file so it works in any checkout. */
export const CORPUS_DIR = new URL('../../../../shared/corpus/', import.meta.url);

/** Every complete sample in the corpus. */
export const SAMPLE_IDS = ['01', '02', '04', '05', '06', '07', '09', '10', '11', '12', '13', '15', '16', '17', '18', '19', '20'] as const;

/** The argv (program name excluded) of sample `id`. */
export function loadSample(id: string): string[] {
  const argv: unknown = JSON.parse(readFileSync(new URL(`${id}.json`, CORPUS_DIR), 'utf8'));
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`corpus ${id}.json is not a string array`);
  return argv;
}
