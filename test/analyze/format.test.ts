import t from 'tap';
import { createStyle, formatCount, formatDuration, formatMs, formatPercent, formatTable, shouldColour, visibleWidth } from '../../analyze/format.ts';
import { createProgressBar, renderBar } from '../../analyze/progress-bar.ts';
import { shellQuote } from '../../analyze/render-views.ts';

t.test('tables align columns, right-align numbers and measure coloured cells by what shows', async (t) => {
  const style = createStyle(true);
  const table = formatTable([{ header: 'name' }, { header: 'n', align: 'right' }], [[style.red('ab'), '1'], ['abcd', '1,234']]);
  const lines = table.split('\n').map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''));
  t.same(lines, ['name      n', 'ab        1', 'abcd  1,234']);
  t.equal(visibleWidth(style.bold('héllo')), 5);
  t.equal(formatTable([{ header: 'a' }, { header: 'b' }], [['x', '']]), 'a  b\nx', 'no trailing spaces');
});

t.test('colour only on a terminal without NO_COLOR', async (t) => {
  t.equal(shouldColour({ isTTY: true }, {}), true);
  t.equal(shouldColour({ isTTY: true }, { NO_COLOR: '1' }), false);
  t.equal(shouldColour({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  t.equal(shouldColour({ isTTY: false }, {}), false);
  t.equal(shouldColour({}, {}), false);
  t.equal(createStyle(false).red('x'), 'x');
});

t.test('numbers for people', async (t) => {
  t.equal(formatCount(1_234_567), '1,234,567');
  t.equal(formatCount(12), '12');
  t.equal(formatPercent(0.4213), '42.1%');
  t.equal(formatPercent(0.0004), '<0.1%');
  t.equal(formatPercent(0), '0.0%');
  t.equal(formatPercent(null), '-');
  t.same([0.25, 12.34, 600, 3 * 3600 + 360, 1_000_000 * 3600].map(formatDuration), ['250 ms', '12.3 s', '10 min', '3.1 h', '1,000,000 h']);
  t.equal(formatDuration(null), '-');
  t.equal(formatMs(1315), '1,315 ms');
  t.equal(shellQuote('-i'), '-i');
  t.equal(shellQuote("/media/It's here.mkv"), `'/media/It'\\''s here.mkv'`);
});

t.test('the progress bar: nothing off a terminal, nothing in the first second, then at most every 100 ms', async (t) => {
  const written: string[] = [];
  let now = 0;
  const off = createProgressBar({ label: 'x', stream: { isTTY: false, write: (s: string) => written.push(s) }, now: () => now });
  off.update(5, 10);
  off.finish();
  t.same(written, []);

  const bar = createProgressBar({ label: 'analyzing', stream: { isTTY: true, columns: 60, write: (s: string) => written.push(s) }, now: () => now });
  bar.update(1, 10);
  t.same(written, [], 'quiet during the first second');
  now = 1000;
  bar.update(5, 10);
  now = 1050;
  bar.update(6, 10);
  now = 1200;
  bar.update(10, 10, 'percentiles');
  bar.finish();
  t.equal(written.length, 3);
  t.match(written[0], /^\r\x1b\[Kanalyzing \[#+-+\]  50%$/);
  t.match(written[1], 'percentiles [');
  t.equal(written[2], '\r\x1b[K', 'finish erases the line');
  t.equal(renderBar('x', 1, 4, 80), `x [${'#'.repeat(10)}${'-'.repeat(30)}]  25%`);
  t.equal(renderBar('asking workers', 0, 0, 80), 'asking workers …');
});
