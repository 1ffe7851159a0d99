import t, { type Test } from 'tap';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';
import { SAMPLE_IDS, loadSample } from './corpus.ts';

/** Parses and checks the result is well formed and came from the real parser, not its safety net. */
function parseOk(t: Test, argv: string[], label: string) {
  const r = parsePlexArgv(argv);
  t.notOk(r.warnings.some((w) => w.startsWith('internal parser error')), `${label}: ${r.warnings.join('; ')}`);
  t.match(r.patternId, /^[0-9a-f]{12}$/, `${label}: pattern id`);
  return r;
}

/** Argvs among `argvs` that the real parser failed on (its safety net caught an exception). */
function failures(argvs: Iterable<string[]>): string[][] {
  const failed: string[][] = [];
  for (const argv of argvs) {
    const r = parsePlexArgv(argv);
    if (r.warnings.some((w) => w.startsWith('internal parser error')) || !/^[0-9a-f]{12}$/.test(r.patternId)) failed.push(argv);
  }
  return failed;
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('garbage never throws', async (t) => {
  const cases: string[][] = [
    [],
    ['-i'],
    ['-i', '-i'],
    ['-'],
    ['--'],
    ['--', '-i', 'x'],
    ['-b:1'],
    ['-codec:0'],
    ['-filter_complex', '[[[;;,,]]]=:=\\'],
    ['-filter_complex', "'unterminated", '-map', '[x', 'out.ts'],
    ['-map', '[nowhere]', 'out.mkv'],
    ['-i', 'a.mkv', '-map', '7:9', '-codec:9', 'x', 'o.mp4'],
    ['-i', 'a.mkv', '-c:v', 'libx264'],
    ['-ss', 'not-a-time', '-i', 'a.mkv', 'o.mp4'],
    ['-s', '0x0', '-b', 'lots', 'o.mp4'],
    ['', '', ''],
    ['-i', '', ''],
    ['-x', '-y', '-z'],
    ['-filter_complex', '[0:0]scale=w=-2:h=iw/2[a];[a][a]overlay[a]', '-map', '[a]', '-i', 'x.mkv', 'o.mkv'],
  ];
  for (const argv of cases) parseOk(t, argv, JSON.stringify(argv));
  // Not even a non-array (callers are typed, but the shim must never crash).
  t.equal(parsePlexArgv(undefined as unknown as string[]).kind, 'capability-query');
  t.equal(parsePlexArgv([42, null] as unknown as string[]).kind, 'unknown');
});

t.test('an exception inside the parser becomes an unknown invocation, never a throw', async (t) => {
  const hostile = [{ toString: () => { throw new Error('boom'); } }] as unknown as string[];
  const r = parsePlexArgv(hostile);
  t.equal(r.kind, 'unknown');
  t.match(r.warnings, [/internal parser error: Error: boom/]);
  t.match(r.patternId, /^[0-9a-f]{12}$/);
});

t.test('a trailing option missing its value is a warning, not an error', async (t) => {
  const r = parseOk(t, ['-i', 'in.mkv', 'out.mp4', '-progressurl'], 'missing value');
  t.match(r.warnings, [/-progressurl is missing its value/]);
  t.equal(r.outputs.length, 1);
  const lone = parseOk(t, ['-codec:0', 'h264', '-i'], 'lone -i');
  t.equal(lone.inputs.length, 0);
  t.equal(lone.kind, 'unknown');
  t.match(lone.warnings, [/-i is missing its value/, /ignored: -codec:0/]);
});

t.test('per-file options after the last output are reported as trailing', async (t) => {
  const r = parseOk(t, ['-i', 'in.mkv', 'out.mp4', '-c:v', 'libx264', '-y'], 'trailing');
  t.same(r.trailingOptions.map((o) => o.name), ['c:v']);
  t.ok(r.globalOptions.some((o) => o.name === 'y'));
  t.match(r.warnings, [/ignored: -c:v/]);
});

t.test('unknown options are recorded and parsing goes on', async (t) => {
  const r = parseOk(t, ['-frobnicate', '3', '-i', 'in.mkv', '-wobble', '-c:v', 'libx264', 'out.mkv'], 'unknown');
  t.same(r.unknownOptions, [{ name: 'frobnicate', index: 0 }, { name: 'wobble', index: 4 }]);
  // `-frobnicate` took `3` (AVOptions take values); `-wobble` did not, as a known option follows.
  t.equal(r.inputs[0]?.options[0]?.value, '3');
  t.equal(r.outputs[0]?.options[0]?.value, null);
  t.match(r.video, { codec: 'libx264' });
});

t.test('every prefix and every one-token deletion of every sample parses', async (t) => {
  for (const id of SAMPLE_IDS) {
    const argv = loadSample(id);
    const prefixes = argv.map((_, n) => argv.slice(0, n));
    const deletions = argv.map((_, i) => [...argv.slice(0, i), ...argv.slice(i + 1)]);
    t.same(failures([...prefixes, ...deletions]), [], `${id}: ${prefixes.length} prefixes, ${deletions.length} deletions`);
  }
});

t.test('random token soup parses', async (t) => {
  const vocabulary = [
    ...new Set(SAMPLE_IDS.flatMap((id) => loadSample(id))),
    '-', '--', '-h', '-version', '[', ']', '[0]', ';', ',', '=', ':', "'", '\\', '-map', '-i', '-f', 'null',
  ];
  const next = random(0x5eed);
  const soup = Array.from({ length: 400 }, () =>
    Array.from({ length: Math.floor(next() * 40) }, () => vocabulary[Math.floor(next() * vocabulary.length)] as string),
  );
  t.same(failures(soup), [], '400 random argvs');
});
