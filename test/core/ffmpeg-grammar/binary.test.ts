// The grammar against the ffmpeg the worker runs (Debian's 5.1): every option of its main table
// is in the grammar with the arity the binary parses, every allow-listed AVOption exists, and the
// filters that open files declare every file option in the binary's option order.
import { execFile, execFileSync } from 'node:child_process';
import t from 'tap';
import {
  FILE_FILTERS, FILTERS, MAIN_OPTIONS, allowedAvOptionNames, describeOption,
} from '../../../core/ffmpeg-grammar/index.ts';

let help = '';
try {
  help = execFileSync('ffmpeg', ['-hide_banner', '-h', 'full'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
} catch {
  // skipped below
}
if (help === '') t.comment('skip: ' + "ffmpeg is not on PATH (apt-get install -y ffmpeg); the grammar cannot be checked against it");

/** Runs ffmpeg with `args` in `cwd`; resolves with stdout+stderr whatever the exit status. */
function ffmpeg(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ffmpeg', ['-hide_banner', ...args], { cwd, encoding: 'utf8', timeout: 20_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** Runs `jobs` four at a time. */
async function pool<T>(items: readonly T[], job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all([0, 1, 2, 3].map(async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  }));
}

// `ffmpeg -h full` lists the main table before the first "… AVOptions:" section, one option per
// line as `-name[ argname]  help`. The argname does not say whether ffmpeg takes a value (5.1
// prints `-filter_threads` without one and `-xerror error` with one), so arity is asked of the
// binary itself: `ffmpeg -NAME -version` prints the version only when -NAME left `-version` alone.
const mainSection = help.slice(0, help.search(/^.* AVOptions:$/m));
const listed = [...mainSection.matchAll(/^-(\S+)/gm)].map((m) => m[1] as string);

if (help !== "") t.test("every option of ffmpeg's main table is in the grammar, and every stock entry of the grammar is in ffmpeg", async (t) => {
  t.ok(listed.length > 150, `${listed.length} options listed`);
  for (const name of new Set(listed)) t.ok(MAIN_OPTIONS.has(name), `-${name} is in the grammar`);
  for (const [name, entry] of MAIN_OPTIONS) {
    if (entry.plexOnly || name === 'i') continue;
    t.ok(listed.includes(name), `-${name} exists in ffmpeg 5.1`);
  }
});

if (help !== "") t.test('the grammar and the binary agree on the arity of every main-table option', async (t) => {
  const cwd = t.testdir({});
  const stock = [...MAIN_OPTIONS].filter(([name, o]) => !o.plexOnly && o.arity !== 'exit' && name !== 'i');
  await pool(stock, async ([name, entry]) => {
    const leftAlone = /^ffmpeg version/m.test(await ffmpeg([`-${name}`, '-version'], cwd));
    const takesValue = entry.arity === 'value' || entry.arity === 'boolValue';
    t.equal(!leftAlone, takesValue, `-${name}: ${takesValue ? 'takes' : 'takes no'} value`);
    t.equal(describeOption(`-${name}`).takesValue, takesValue, `-${name}: describeOption agrees`);
    if (entry.arity === 'flag' || entry.arity === 'bool' || entry.arity === 'boolValue') {
      const negation = /^ffmpeg version/m.test(await ffmpeg([`-no${name}`, '-version'], cwd));
      t.equal(negation, entry.arity !== 'flag', `-no${name} ${entry.arity === 'flag' ? 'does not exist' : 'is a flag'}`);
    }
  });
  // The two that a deny-list once took for flags: their value would swallow the next option.
  t.equal(describeOption('-autorotate').takesValue, true);
  t.equal(describeOption('-autoscale').takesValue, true);
  t.equal(describeOption('-noautorotate').takesValue, false);
});

if (help !== "") t.test('every allow-listed AVOption exists in this ffmpeg (AVOptions always take a value)', async (t) => {
  const avNames = new Set([...help.slice(mainSection.length).matchAll(/^ {2}-(\S+)\s+</gm)].map((m) => m[1] as string));
  const missing = allowedAvOptionNames().filter((name) => !avNames.has(name));
  t.same(missing, [], 'no allow-listed AVOption is unknown to ffmpeg');
  for (const name of allowedAvOptionNames()) {
    if (!MAIN_OPTIONS.has(name)) t.equal(describeOption(`-${name}`).takesValue, true, `-${name}`);
  }
});

if (help !== "") t.test('filters that open files declare every file option, positional ones in ffmpeg\'s order', async (t) => {
  // A string option named like a file, or described as one.
  const fileLike = (o: { name: string; help: string }) => /file|path|dir$|url/.test(o.name) || /\bfile\b|\bpath\b|director|\bURL\b|model|shader/i.test(o.help);
  for (const name of FILTERS) {
    const text = execFileSync('ffmpeg', ['-hide_banner', '-h', `filter=${name}`], { encoding: 'utf8' });
    if (/Unknown filter/.test(text)) continue; // a hardware filter Debian's build lacks
    const options = [...text.matchAll(/^ {2,3}(\w+)\s+<(\w+)>\s+[A-Z.]+\s*(.*)$/gm)].map((m) => ({ name: m[1] as string, type: m[2] as string, help: m[3] as string }));
    const declared = FILE_FILTERS.get(name);
    for (const option of options.filter((o) => o.type === 'string' && fileLike(o))) {
      t.ok(declared?.files[option.name] !== undefined, `${name}: ${option.name} is declared as a file`);
    }
    if (declared === undefined) continue;
    // Positional order: ffmpeg's option order, an alias (same help text as the option before) skipped.
    const order = options.filter((o, i) => i === 0 || o.help !== options[i - 1]?.help).map((o) => o.name);
    t.same(order.slice(0, declared.positional.length), declared.positional, `${name}: positional order`);
  }
});
