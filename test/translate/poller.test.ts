// The publishers' poll loop on a real folder: a change to the watched file runs a pass without
// waiting for the tick (the interval here is an hour, so only the watch can run it), a change
// during a pass is followed by one more pass, passes never overlap, and a folder that cannot be
// watched leaves the poll to carry on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startPoller } from '../../worker/translate/post/poller.ts';

const HOUR = 3_600_000;

/** Resolves once `check` holds (polled every 5 ms; tap's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(5);
}

t.test('a change to the watched file runs a pass at once; others wait for the tick', async (t) => {
  const dir = t.testdir({});
  let passes = 0;
  const poller = startPoller(async () => void (passes += 1), HOUR, new AbortController().signal, (e) => t.fail(String(e)), { dir, matches: (name) => name.startsWith('segments.csv') });
  writeFileSync(join(dir, 'media-00000.ts'), 'segment bytes');
  await sleep(50);
  t.equal(passes, 0, 'a segment being written: no pass');
  writeFileSync(join(dir, 'segments.csv'), 'media-00000.ts,0.000000,1.000000\n');
  await until(() => passes > 0);
  t.pass('the list changed (created, written): a pass ran, an hour before the tick');
  await sleep(50);
  const before = passes;
  await poller.finish();
  t.equal(passes, before + 1, 'finish runs the last pass');
  writeFileSync(join(dir, 'segments.csv'), 'more\n');
  await sleep(50);
  t.equal(passes, before + 1, 'finished: no pass on later changes');
});

t.test('a change during a pass: one more pass after it, never two at once', async (t) => {
  const dir = t.testdir({});
  let active = 0;
  let most = 0;
  let passes = 0;
  let release: () => void = () => undefined;
  const step = async () => {
    active += 1;
    most = Math.max(most, active);
    passes += 1;
    if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
    active -= 1;
  };
  const poller = startPoller(step, HOUR, new AbortController().signal, (e) => t.fail(String(e)), { dir, matches: () => true });
  writeFileSync(join(dir, 'segments.csv'), 'a\n');
  await until(() => passes === 1);
  for (let i = 0; i < 5; i += 1) writeFileSync(join(dir, 'segments.csv'), `b${i}\n`);
  await sleep(50);
  t.equal(passes, 1, 'the first pass still runs: the changes wait for it');
  release();
  await until(() => passes === 2);
  t.equal(most, 1, 'passes never overlap');
  await poller.finish();
  t.equal(passes, 3, 'five changes during a pass made one more pass, then finish its last');
});

t.test('a folder that cannot be watched: the poll alone', async (t) => {
  const dir = t.testdir({});
  let passes = 0;
  const poller = startPoller(async () => void (passes += 1), 10, new AbortController().signal, (e) => t.fail(String(e)), { dir: join(dir, 'missing'), matches: () => true });
  await until(() => passes >= 2);
  t.pass('the poll runs passes');
  await poller.finish();
});

t.test('an abort stops the watch and the poll; finish then runs no pass', async (t) => {
  const dir = t.testdir({});
  let passes = 0;
  const controller = new AbortController();
  const poller = startPoller(async () => void (passes += 1), HOUR, controller.signal, (e) => t.fail(String(e)), { dir, matches: () => true });
  controller.abort();
  writeFileSync(join(dir, 'segments.csv'), 'a\n');
  await sleep(50);
  await poller.finish();
  t.equal(passes, 0);
});
