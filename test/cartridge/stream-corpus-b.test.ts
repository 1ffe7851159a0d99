// The second half of the runnable corpus streamed as on shared storage (stream-corpus-cases.ts).
import { streamCorpus } from './stream-corpus-cases.ts';

await streamCorpus(['11', '12', '13', '15', '16', '17', '18', '19', '20']);
