/** The argv corpus for the parser tests: the repository's copy (test/harness/corpus.ts says where). */
import { loadCorpus } from '../../harness/corpus.ts';

const SAMPLES = new Map(loadCorpus().map((sample) => [sample.id, sample.argv]));

/** Every complete sample in the corpus, in id order. */
export const SAMPLE_IDS: readonly string[] = [...SAMPLES.keys()];

/** The argv (program name excluded) of sample `id`. */
export function loadSample(id: string): string[] {
  const argv = SAMPLES.get(id);
  if (argv === undefined) throw new Error(`corpus sample ${id} not found`);
  return [...argv];
}
