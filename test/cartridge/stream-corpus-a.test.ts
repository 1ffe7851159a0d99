// The first half of the runnable corpus streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['01', '02', '04', '05', '06', '07', '09', '10']);
