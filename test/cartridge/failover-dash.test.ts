// Failover of corpus 12 (DASH, 1 s chunks) with real processes, on shared storage and
// in stream mode: the worker SIGKILLed, its network cut, and drained (test/cartridge/failover-cases.ts).
import t from 'tap';
import { caseName, runFailoverCase, type FailoverCase } from './failover-cases.ts';

// Six plays paced by -re (10 s of media each, ~15 s a case): past tap's 180 s on a loaded machine.
t.setTimeout(360_000);

for (const storage of ['shared', 'stream'] as const) {
  for (const fault of ['kill', 'cut', 'drain'] as const) {
    const c: FailoverCase = { sample: 'dash', storage, fault };
    t.test(caseName(c), (t) => runFailoverCase(t, c));
  }
}
