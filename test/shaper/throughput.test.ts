/**
 * Bytes on the wire: real TCP from the server's namespace to two shaped clients and one exempt
 * one across the veth that the reconciler shapes. Rates are ratios: at most 15 % over (a leak is
 * a bug), generously under (a busy CI machine may starve a sender): each shaped client near its configured rate, the exempt one far
 * above it, and, with a tight server ceiling, the shaped clients' sum within the ceiling.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { followJsonLogs } from '../harness/json-log-process.ts';
import { desiredClasses } from '../../shaper/desired.ts';
import { createReconciler } from '../../shaper/reconcile.ts';
import { readShaperSettings } from '../../shaper/settings.ts';
import { createTcRunner } from '../../shaper/tc-runner.ts';
import { createTestNetnsPair, netnsSkipReason } from './netns.ts';

const skip = netnsSkipReason();
const sink = fileURLToPath(new URL('./tcp-sink.ts', import.meta.url));
const source = fileURLToPath(new URL('./tcp-source.ts', import.meta.url));
const CLIENTS = ['10.200.0.2', '10.200.0.3', '10.200.0.9'];
const SECONDS = 5;

/** Sends for SECONDS and returns each address's rate over the last 3 s, in bits per second. */
async function measure(t: Test, pair: ReturnType<typeof createTestNetnsPair>, port: number): Promise<Record<string, number>> {
  const receiver = spawn('ip', ['netns', 'exec', pair.client.name, process.execPath, sink, String(port), ...CLIENTS], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void receiver.kill('SIGKILL'));
  const logs = followJsonLogs(receiver, { timeoutMs: 15_000 });
  await logs.waitForLog((l) => l.ready === true);
  const sender = spawn('ip', ['netns', 'exec', pair.server.name, process.execPath, source, String(port), String(SECONDS), ...CLIENTS], { stdio: 'ignore' });
  t.teardown(() => void sender.kill('SIGKILL'));
  const start = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const first = { at: Date.now(), bytes: { ...(logs.logs.findLast((l) => l.bytes !== undefined)?.bytes as Record<string, number>) } };
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, SECONDS * 1000 - 500 - (Date.now() - start))));
  const last = { at: Date.now(), bytes: logs.logs.findLast((l) => l.bytes !== undefined)?.bytes as Record<string, number> };
  await new Promise((resolve) => sender.once('exit', resolve));
  receiver.kill('SIGTERM');
  const seconds = (last.at - first.at) / 1000;
  return Object.fromEntries(CLIENTS.map((a) => [a, (((last.bytes[a] ?? 0) - (first.bytes[a] ?? 0)) * 8) / seconds]));
}

t.test('shaped clients get their rate, the exempt one is not shaped, the ceiling holds', { skip: skip ?? false, timeout: 120_000 }, async (t) => {
  const pair = createTestNetnsPair(CLIENTS);
  t.teardown(() => pair.teardown());
  const settings = readShaperSettings({
    interface: 'pb0', ceil: '100mbit', perClient: '4mbit', overrides: [{ address: '10.200.0.3', rate: '8mbit' }],
    exempt: ['127.0.0.0/8', '10.200.0.9/32'], grace: 1, pmsUrl: 'http://127.0.0.1:1', preferencesPath: '/x', logPath: '/x',
  });
  const reconciler = createReconciler({ tc: createTcRunner(pair.server.tcCommand), device: 'pb0' });
  await reconciler.reconcile(desiredClasses(CLIENTS, settings), settings.ceilBits);

  const rates = await measure(t, pair, 9001);
  const mbit = (bits: number) => `${(bits / 1e6).toFixed(2)} Mbit/s`;
  t.comment(`measured: ${CLIENTS.map((a) => `${a} ${mbit(rates[a] as number)}`).join(', ')}`);
  const two = rates['10.200.0.2'] as number;
  const three = rates['10.200.0.3'] as number;
  const exempt = rates['10.200.0.9'] as number;
  t.ok(two > 4e6 * 0.7 && two < 4e6 * 1.15, `10.200.0.2 at most 15 % over its 4mbit (and not starved): ${mbit(two)}`);
  t.ok(three > 8e6 * 0.7 && three < 8e6 * 1.15, `10.200.0.3 at most 15 % over its 8mbit override (and not starved): ${mbit(three)}`);
  t.ok(exempt > 3 * three, `the exempt client is not held to a class: ${mbit(exempt)}`);

  // A tight server ceiling: 4 + 8 wanted, 6 allowed; the shaped sum stays within it.
  const tight = { ...settings, ceilBits: 6e6 };
  await reconciler.reconcile(desiredClasses(CLIENTS, tight), tight.ceilBits);
  const capped = await measure(t, pair, 9002);
  const sum = (capped['10.200.0.2'] as number) + (capped['10.200.0.3'] as number);
  t.comment(`with a 6mbit ceiling: ${CLIENTS.map((a) => `${a} ${mbit(capped[a] as number)}`).join(', ')}`);
  t.ok(sum < 6e6 * 1.15, `the shaped clients together within the 6mbit ceiling: ${mbit(sum)}`);
  t.ok(sum > 6e6 * 0.5, `and they do get it: ${mbit(sum)}`);
  t.ok((capped['10.200.0.9'] as number) > 2 * sum, 'the exempt client is outside the ceiling');
  await reconciler.teardown();
});
