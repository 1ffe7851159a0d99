// Filter graphs read as ffmpeg reads them: each case runs the real ffmpeg at debug level, which
// logs every option it sets on each filter ("Setting 'key' to value '…'"), and compares that with
// what core/ffmpeg-grammar's parser says each filter receives.
import { execFile, execFileSync } from 'node:child_process';
import t from 'tap';
import { FILE_FILTERS, getToken, parseFilterOptions, parseGraph, splitFfmpegArgv } from '../../../core/ffmpeg-grammar/index.ts';

let present = true;
try {
  execFileSync('ffmpeg', ['-version']);
} catch {
  present = false;
  t.comment("skip: ffmpeg is not on PATH (apt-get install -y ffmpeg), so the parser is not compared with it");
}

/** The options ffmpeg sets on each filter of `graph`, as `name:key=value` lines in order. */
function ffmpegSettings(graph: string, cwd: string): Promise<string[]> {
  return new Promise((resolve) => {
    const args = ['-hide_banner', '-v', 'debug', '-f', 'lavfi', '-i', 'nullsrc=d=0.04', '-vf', graph, '-f', 'null', '-'];
    execFile('ffmpeg', args, { cwd, encoding: 'utf8', timeout: 20_000 }, (_error, _stdout, stderr) => {
      resolve([...stderr.matchAll(/^\[Parsed_(\w+?)_\d+ @ [^\]]+\] Setting '([^']*)' to value '(.*)'$/gm)]
        .filter((m) => m[1] !== 'nullsrc').map((m) => `${m[1]}:${m[2]}=${m[3]}`));
    });
  });
}

/** The same, from the grammar: keyed options, and positional ones named by the filter's declared order. */
function ourSettings(graph: string): string[] {
  const out: string[] = [];
  for (const filter of parseGraph(graph).filters) {
    let position = 0;
    for (const { key, value } of parseFilterOptions(filter.args ?? '')) {
      const name = key ?? FILE_FILTERS.get(filter.name)?.positional[position++] ?? `#${position++}`;
      out.push(`${filter.name}:${name}=${value}`);
    }
  }
  return out;
}

// Each: the graph as the argv carries it (one JS escape level removed by the source here).
const CASES: string[] = [
  'drawtext=textfile=\\\\/etc/hostname',
  "drawtext=textfile='\\\\/etc/hostname'",
  "drawtext='textfile=\\\\/etc/hostname'",
  'drawtext=textfile=\\\\\\\\\\\\/etc/hostname',
  'drawtext=fontfile=\\\\/x/f.ttf:text=a\\\\:b',
  'drawtext=/x/f.ttf:hi',
  ' drawtext = textfile = /etc/hostname ',
  'metadata=mode=print:file=\\\\/tmp/out.txt',
  'metadata=print:file=\'\\\\/tmp/o\\\\\\:ut.txt\'',
  'subtitles=filename=http\\\\:\\\\/\\\\/127.0.0.1\\\\:9\\\\/x',
  "subtitles='http\\:\\/\\/127.0.0.1\\:9/x'",
  'subtitles=f=a\\,b.srt:si=0',
  'subtitles=filename=x.srt:fontsdir=\\\\/etc',
  'deshake=0:0:-1:-1:16:16:0:8:0:0:\\\\/tmp/x.log',
  'deshake=filename=\\\\/tmp/x.log',
  'scale=w=1280:h=720,format=pix_fmts=yuv420p',
];

if (present) t.test('ffmpeg sets exactly the options the grammar reads, escapes and quotes included', async (t) => {
  const cwd = t.testdir({});
  for (const graph of CASES) {
    const theirs = await ffmpegSettings(graph, cwd);
    t.same(ourSettings(graph), theirs, graph);
  }
});

if (present) t.test('a positional value after a named one goes to the option after it (why the sandbox refuses that shape in file filters)', async (t) => {
  const theirs = await ffmpegSettings('drawtext=text=hi:/etc/hostname', t.testdir({}));
  t.same(theirs.slice(0, 2), ['drawtext:text=hi', 'drawtext:textfile=/etc/hostname']);
});

t.test('av_get_token: escapes, quotes and trailing blanks', async (t) => {
  t.same(getToken("  a\\,b'c,d'  ,x", 0, ','), { token: 'a,bc,d', end: 13 });
  t.same(getToken("x\\ ", 0, ','), { token: 'x ', end: 3 }, 'an escaped blank survives the trim');
  t.same(parseGraph('[0:v]scale=1:2[a];[a]null[out]').filters.map((f) => f.name), ['scale', 'null']);
  t.same(parseGraph('mov\\ie=x').filters[0]?.name, 'movie', 'names are unescaped too');
  t.equal(parseGraph('[0:v').error, 'malformed pad label');
  t.equal(parseGraph('scale=1:2[a] x').error, 'unexpected "x"');
});

t.test('argv: values as ffmpeg takes them', async (t) => {
  const split = splitFfmpegArgv(['-autorotate', '0', '-i', 'a.mkv', '-noautorotate', '-i', 'b.mkv', '-sei:0', '-a53_cc', '-y', '--', '-x.ts']);
  t.same(split.files.map((f) => [f.kind, f.target, f.options.map((o) => [o.token, o.value])]), [
    ['input', 'a.mkv', [['-autorotate', '0']]],
    ['input', 'b.mkv', [['-noautorotate', null]]],
    ['output', '-x.ts', [['-sei:0', '-a53_cc']]],
  ]);
  t.same(split.globals.map((o) => o.token), ['-y']);
  t.same(splitFfmpegArgv(['-i', 'a', '-t']).missingValue.map((o) => o.token), ['-t']);
});
