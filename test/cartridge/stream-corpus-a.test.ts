// Runnable corpus samples 01 04 05 06 09 19 streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['01', '04', '05', '06', '09', '19']);
