// Runnable corpus samples 18 20 streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['18', '20']);
