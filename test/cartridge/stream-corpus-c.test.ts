// Runnable corpus samples 07 13 15 streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['07', '13', '15']);
