/** The built `plexbeam server` for the server tests: spawned with its JSON log followed, stopped (SIGTERM) at teardown. */
import type { Test } from 'tap';
import { followJsonLogs } from '../harness/json-log-process.ts';
import { BIN, spawnOwned } from '../cartridge/helpers.ts';

/** Starts `plexbeam server --config config` with `env`; `t`'s teardown stops it unless it has already exited. */
export function spawnServer(t: Pick<Test, 'teardown'>, config: string, env: NodeJS.ProcessEnv) {
  const server = spawnOwned(BIN, ['server', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = followJsonLogs(server, { timeoutMs: 20_000 });
  t.teardown(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    return logs.exited;
  });
  return { server, logs };
}
