// Runnable corpus samples 02 10 11 12 16 17 streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['02', '10', '11', '12', '16', '17']);
