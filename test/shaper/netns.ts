/** A throw-away network namespace with a veth pair, for the shaper's tests against the real tc. */
import { execFileSync } from 'node:child_process';

/** A namespace the test made; `teardown()` deletes it (and everything in it). */
export interface TestNetns {
  readonly name: string;
  /** Runs a command inside the namespace and returns its stdout. */
  exec(command: string, ...args: string[]): string;
  /** The tc command prefix for the shaper's `createTcRunner`. */
  readonly tcCommand: readonly string[];
  teardown(): void;
}

let counter = 0;

/** Why these tests cannot run here, or null when they can (root, `ip netns`, HTB and u32). */
export function netnsSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (CAP_NET_ADMIN) to create a network namespace';
  const probe = `pbshp-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (error) {
    return `\`ip netns add\` failed (iproute2 missing or no CAP_SYS_ADMIN): ${(error as Error).message.split('\n')[0]}`;
  }
  try {
    execFileSync('ip', ['netns', 'exec', probe, 'ip', 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'add', 'dev', 'p0', 'root', 'handle', '1:', 'htb'], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', probe, 'tc', 'filter', 'add', 'dev', 'p0', 'parent', '1:', 'protocol', 'ip', 'pref', '1', 'u32', 'match', 'ip', 'dst', '10.0.0.1/32', 'classid', '1:1'], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `the kernel lacks veth, sch_htb or cls_u32: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  }
}

/**
 * Creates a namespace with veth `pb0` (the shaped server side, 10.200.0.1/24, fd00:200::1/64)
 * and its peer `pb1` holding the clients' addresses, plus a second pair `pb2`/`pb3` for foreign rules.
 */
export function createTestNetns(clientAddresses: { v4: string[]; v6: string[] } = { v4: ['10.200.0.2', '10.200.0.3'], v6: ['fd00:200::2'] }): TestNetns {
  const name = `pbshp-${process.pid}-${++counter}`;
  const run = (command: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', name, command, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  try {
    run('ip', 'link', 'set', 'lo', 'up');
    run('ip', 'link', 'add', 'pb0', 'type', 'veth', 'peer', 'name', 'pb1');
    run('ip', 'link', 'add', 'pb2', 'type', 'veth', 'peer', 'name', 'pb3');
    run('ip', 'addr', 'add', '10.200.0.1/24', 'dev', 'pb0');
    run('ip', '-6', 'addr', 'add', 'fd00:200::1/64', 'dev', 'pb0', 'nodad');
    for (const address of clientAddresses.v4) run('ip', 'addr', 'add', `${address}/24`, 'dev', 'pb1');
    for (const address of clientAddresses.v6) run('ip', '-6', 'addr', 'add', `${address}/64`, 'dev', 'pb1', 'nodad');
    for (const dev of ['pb0', 'pb1', 'pb2', 'pb3']) run('ip', 'link', 'set', dev, 'up');
  } catch (error) {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
    throw error;
  }
  return {
    name,
    exec: run,
    tcCommand: ['ip', 'netns', 'exec', name, 'tc'],
    teardown: () => {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
      } catch {
        // already gone
      }
    },
  };
}

/** Two namespaces joined by a veth: the server side `pb0` (10.200.0.1) and the clients' side `pb1`. */
export interface TestNetnsPair {
  readonly server: TestNetns;
  readonly client: TestNetns;
  teardown(): void;
}

/** Creates the pair; traffic from server to client addresses really crosses pb0's qdisc. */
export function createTestNetnsPair(clientAddresses: string[]): TestNetnsPair {
  const make = (name: string): TestNetns => {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    const exec = (command: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', name, command, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    exec('ip', 'link', 'set', 'lo', 'up');
    return {
      name,
      exec,
      tcCommand: ['ip', 'netns', 'exec', name, 'tc'],
      teardown: () => {
        try {
          execFileSync('ip', ['netns', 'del', name], { stdio: 'pipe' });
        } catch {
          // already gone
        }
      },
    };
  };
  const base = `pbshp-${process.pid}-${++counter}`;
  const server = make(`${base}-s`);
  let client: TestNetns | null = null;
  try {
    client = make(`${base}-c`);
    server.exec('ip', 'link', 'add', 'pb0', 'type', 'veth', 'peer', 'name', 'pb1', 'netns', client.name);
    server.exec('ip', 'addr', 'add', '10.200.0.1/24', 'dev', 'pb0');
    for (const address of clientAddresses) client.exec('ip', 'addr', 'add', `${address}/24`, 'dev', 'pb1');
    server.exec('ip', 'link', 'set', 'pb0', 'up');
    client.exec('ip', 'link', 'set', 'pb1', 'up');
  } catch (error) {
    client?.teardown();
    server.teardown();
    throw error;
  }
  const made = client;
  return { server, client: made, teardown: () => (made.teardown(), server.teardown()) };
}
