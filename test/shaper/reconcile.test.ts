/** The reconciler against the real tc, in a network namespace this test creates. */
import t from 'tap';
import { createReconciler } from '../../shaper/reconcile.ts';
import { desiredClasses } from '../../shaper/desired.ts';
import { readShaperSettings } from '../../shaper/settings.ts';
import { createTcRunner } from '../../shaper/tc-runner.ts';
import { readTcState } from '../../shaper/tc-state.ts';
import { createTestNetns, netnsSkipReason } from './netns.ts';

const skip = netnsSkipReason();

const settings = readShaperSettings({
  interface: 'pb0',
  ceil: '20mbit',
  perClient: '4mbit',
  overrides: [{ address: '10.200.0.3', rate: '6mbit' }],
  // The test's clients live in private ranges: exempt only loopback and one test address.
  exempt: ['127.0.0.0/8', '10.200.0.9/32'],
  grace: 1,
  pmsUrl: 'http://127.0.0.1:32400',
  preferencesPath: '/nonexistent',
  logPath: '/nonexistent',
});

t.test('builds the HTB tree, applies only differences, adopts, and tears down only its own rules', { skip: skip ?? false }, async (t) => {
  const ns = createTestNetns();
  t.teardown(() => ns.teardown());
  const tc = createTcRunner(ns.tcCommand);
  // Foreign rules: a qdisc on another device, which nothing here may touch.
  ns.exec('tc', 'qdisc', 'add', 'dev', 'pb2', 'root', 'handle', '5:', 'htb', 'default', '0');
  const before = ns.exec('tc', '-j', 'qdisc', 'show', 'dev', 'pb0');

  const reconciler = createReconciler({ tc, device: 'pb0' });
  const desired = desiredClasses(['10.200.0.2', '10.200.0.3', 'fd00:200::2', '10.200.0.9'], settings);
  t.same(desired.map((d) => d.address), ['10.200.0.2', '10.200.0.3', 'fd00:200::2'], 'the exempt address is not shaped');
  const first = await reconciler.reconcile(desired, settings.ceilBits);
  t.ok(first.changes.length > 0);

  const state = await readTcState(tc, 'pb0', '7062:');
  const root = JSON.parse(ns.exec('tc', '-j', 'qdisc', 'show', 'dev', 'pb0')).find((q: { root?: boolean }) => q.root);
  t.match(root, { kind: 'htb', handle: '7062:' });
  const server = state.classes.find((c) => c.classid === '7062:1');
  t.match(server, { rateBits: 20e6, ceilBits: 20e6 });
  const byAddress = new Map(first.applied.map((a) => [a.address, a]));
  t.same([...byAddress.keys()].sort(), ['10.200.0.2', '10.200.0.3', 'fd00:200::2']);
  t.match(byAddress.get('10.200.0.2'), { rateBits: 4e6, ceilBits: 4e6 });
  t.match(byAddress.get('10.200.0.3'), { rateBits: 6e6, ceilBits: 6e6 }, 'per-client override');
  t.match(byAddress.get('fd00:200::2'), { rateBits: 4e6, ceilBits: 4e6 }, 'IPv6 client');
  const filterText = ns.exec('tc', 'filter', 'show', 'dev', 'pb0', 'parent', '7062:');
  t.match(filterText, /match 0ac80002\/ffffffff at 16/, 'IPv4 dst filter for 10.200.0.2');
  t.match(filterText, /match fd000200\/ffffffff at 24[\s\S]*match 00000002\/ffffffff at 36/, 'IPv6 dst filter');
  t.notMatch(filterText, /0ac80009/, 'no filter for the exempt address');
  const leaves = JSON.parse(ns.exec('tc', '-j', 'qdisc', 'show', 'dev', 'pb0')).filter((q: { parent?: string }) => q.parent?.startsWith('7062:'));
  t.equal(leaves.length, 3, 'one leaf qdisc per client class');
  t.ok(leaves.every((q: { kind: string }) => q.kind === 'fq_codel' || q.kind === 'pfifo'), `leaves: ${leaves.map((q: { kind: string }) => q.kind).join(', ')}`);

  const again = await reconciler.reconcile(desired, settings.ceilBits);
  t.same(again.changes, [], 'a second reconcile with the same wish changes nothing');

  // A restart: a new reconciler adopts what is there, without duplicates.
  const restarted = createReconciler({ tc, device: 'pb0' });
  const adopted = await restarted.reconcile(desired, settings.ceilBits);
  t.same(adopted.changes, [], 'the restarted reconciler adopts the rules');
  const after = await readTcState(tc, 'pb0', '7062:');
  t.equal(after.classes.length, 4, 'server class + 3 client classes, no duplicates');
  t.equal(after.filters.length, 3, 'three filters, no duplicates');

  // One client leaves: only its class and filter go.
  const fewer = desired.filter((d) => d.address !== '10.200.0.3');
  const shrink = await restarted.reconcile(fewer, settings.ceilBits);
  t.equal(shrink.changes.length, 2, `one filter and one class removed: ${shrink.changes.join('; ')}`);
  t.same(shrink.applied.map((a) => a.address), ['10.200.0.2', 'fd00:200::2']);
  t.same(shrink.applied.map((a) => a.classid), first.applied.filter((a) => a.address !== '10.200.0.3').map((a) => a.classid), 'the others keep their classes');

  // The server ceiling is shared out when the clients want more than it.
  const tight = await restarted.reconcile(desiredClasses(['10.200.0.2', 'fd00:200::2'], { ...settings, ceilBits: 6e6 }), 6e6);
  t.same(tight.applied.map((a) => a.rateBits), [3e6, 3e6], 'rates scaled to fit the 6mbit ceiling');

  // A duplicate made by hand (a crash mid-change) is cleaned up.
  ns.exec('tc', 'filter', 'add', 'dev', 'pb0', 'parent', '7062:', 'protocol', 'ip', 'pref', '4100', 'u32', 'match', 'ip', 'dst', '10.200.0.2/32', 'classid', '7062:1000');
  const cleaned = await restarted.reconcile(fewer, settings.ceilBits);
  t.ok(cleaned.changes.some((c) => c.startsWith('removed the filter for 10.200.0.2')), cleaned.changes.join('; '));
  t.equal((await readTcState(tc, 'pb0', '7062:')).filters.length, 2);

  const removed = await restarted.teardown();
  t.ok(removed.length > 0);
  t.equal(ns.exec('tc', '-j', 'qdisc', 'show', 'dev', 'pb0'), before, "pb0's qdisc is exactly as before");
  t.match(ns.exec('tc', '-j', 'qdisc', 'show', 'dev', 'pb2'), /"handle":"5:"/, 'the foreign qdisc on pb2 stays');
  t.same(await restarted.teardown(), [], 'a second teardown has nothing to do');
});

t.test('refuses a root qdisc it did not make, and keeps foreign classes under its own root', { skip: skip ?? false }, async (t) => {
  const ns = createTestNetns();
  t.teardown(() => ns.teardown());
  const tc = createTcRunner(ns.tcCommand);
  ns.exec('tc', 'qdisc', 'add', 'dev', 'pb2', 'root', 'handle', '5:', 'htb', 'default', '0');
  await t.rejects(createReconciler({ tc, device: 'pb2' }).reconcile([], 8e6), { code: 'SHAPER_INTERFACE' });
  await t.rejects(createReconciler({ tc, device: 'nosuch0' }).reconcile([], 8e6), { code: 'SHAPER_INTERFACE' });

  const reconciler = createReconciler({ tc, device: 'pb0' });
  await reconciler.reconcile(desiredClasses(['10.200.0.2'], settings), settings.ceilBits);
  ns.exec('tc', 'class', 'add', 'dev', 'pb0', 'parent', '7062:1', 'classid', '7062:20', 'htb', 'rate', '1mbit');
  await reconciler.reconcile(desiredClasses(['10.200.0.2'], settings), settings.ceilBits);
  await reconciler.teardown();
  const classes = ns.exec('tc', 'class', 'show', 'dev', 'pb0');
  t.match(classes, /7062:20 /, 'the foreign class stays');
  t.notMatch(classes, /7062:1000 /, 'its own client class is gone');
  t.equal(ns.exec('tc', 'filter', 'show', 'dev', 'pb0', 'parent', '7062:').trim(), '', 'its filters are gone');
});
