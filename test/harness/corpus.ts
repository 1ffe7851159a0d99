/** The corpus of real Plex Transcoder command lines (`test/fixtures/corpus/NN.json` + `NN.txt`). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from './repo-paths.ts';

/** One captured command line (the argv without the program name). */
export interface CorpusSample {
  id: string;
  argv: string[];
  /** The `request:` line of `NN.txt`: what Plex was asked for. */
  description: string;
  /** The whole `NN.txt` (source, request, notes). */
  about: string;
}

/** Every sample of the corpus, in id order. */
export function loadCorpus(dir: string = corpusDir()): CorpusSample[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new Error(`Plex argv corpus not found at ${dir} (expected test/fixtures/corpus/ in the checkout, or PLEXBEAM_CORPUS_DIR)`, { cause: error });
  }
  return names
    .filter((name) => /^\d+\.json$/.test(name))
    .sort()
    .map((name) => {
      const id = name.slice(0, -'.json'.length);
      const argv = JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
      if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) throw new Error(`${join(dir, name)} is not a JSON array of strings`);
      const about = readText(join(dir, `${id}.txt`));
      const description = /^request:\s*(.*)$/m.exec(about)?.[1] ?? '';
      return { id, argv, description, about };
    });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
