import t from 'tap';
import { isLoopbackUrl, parseDuration, parsePlexArgv, parseSiNumber } from '../../../core/plex-argv/index.ts';
import { parseFilterGraph } from '../../../core/plex-argv/filter-graph.ts';
import { layoutChannels } from '../../../core/plex-argv/values.ts';

t.test('durations', async (t) => {
  const cases: [string, number | null][] = [
    ['1321', 1321], ['62.5', 62.5], ['00:01:02.5', 62.5], ['01:02', 62], ['1:00:00', 3600], ['-5', -5],
    ['1500ms', 1.5], ['250000us', 0.25], ['.5', 0.5], ['abc', null], ['', null], ['1:2:3:4', null],
  ];
  for (const [text, seconds] of cases) t.equal(parseDuration(text), seconds, text);
  t.equal(parseDuration(null), null);
});

t.test('bitrates and SI numbers', async (t) => {
  const cases: [string, number | null][] = [
    ['20121k', 20121000], ['774k', 774000], ['1.5M', 1500000], ['2G', 2e9], ['64Ki', 65536], ['1kB', 8000],
    ['4096K', 4096000], ['3000000', 3000000], ['lots', null], ['k', null],
  ];
  for (const [text, value] of cases) t.equal(parseSiNumber(text), value, text);
});

t.test('channel layouts', async (t) => {
  t.equal(layoutChannels("'5.1'"), 6);
  t.equal(layoutChannels('stereo'), 2);
  t.equal(layoutChannels('7.1(wide)'), 8);
  t.equal(layoutChannels('6c'), 6);
  t.equal(layoutChannels('FL+FR+FC'), 3);
  t.equal(layoutChannels('weird'), null);
});

t.test('loopback URLs', async (t) => {
  for (const url of ['http://127.0.0.1:32400/x', 'http://localhost/x', 'https://localhost:32443/x', 'http://[::1]:32400/x', 'http://127.8.9.10/', 'http://user@127.0.0.1/x']) {
    t.ok(isLoopbackUrl(url), url);
  }
  for (const url of ['http://10.0.1.99:32400/x', 'http://127.0.0.1.evil.example/x', 'http://[::2]/x', 'udp://127.0.0.1:1234', 'http://plex:32400/']) {
    t.notOk(isLoopbackUrl(url), url);
  }
});

t.test('filter graphs: labels, chains, quoting and Plex escaping', async (t) => {
  const graph = parseFilterGraph("[0:1] aresample=async=1:ochl='5.1':osr=48000[5]");
  t.match(graph, [{ name: 'aresample', inputs: ['0:1'], outputs: ['5'], args: [{ key: 'async', value: '1' }, { key: 'ochl', value: '5.1' }, { key: 'osr', value: '48000' }] }]);
  const escaped = parseFilterGraph('[2]inlineass=language=en:overrides=A\\\\\\=b\\\\\\,C\\\\\\=d:outline=2[3];[3]hwupload[4]');
  t.same(escaped.map((f) => [f.name, f.chain, f.position, f.inputs, f.outputs]), [['inlineass', 0, 0, ['2'], ['3']], ['hwupload', 1, 0, ['3'], ['4']]]);
  t.same(escaped[0]?.args.map((a) => a.key), ['language', 'overrides', 'outline']);
  t.equal(escaped[0]?.args[1]?.value, 'A=b,C=d', 'two unescaping levels, as ffmpeg does');
  const chain = parseFilterGraph('[in]fps=0.5,scale=w=320:h=320:force_original_aspect_ratio=increase,showinfo[out]');
  t.same(chain.map((f) => [f.name, f.position]), [['fps', 0], ['scale', 1], ['showinfo', 2]]);
  t.same(parseFilterGraph("drawtext=text='a,b;c':x=1").map((f) => f.name), ['drawtext']);
  t.same(parseFilterGraph(''), []);
});

t.test('option grammar: flags, values that look like options, aliases, stream specifiers', async (t) => {
  const r = parsePlexArgv([
    '-nostdin', '-noaccurate_seek', '-vcodec', 'h264', '-i', 'in.mkv', '-sei:0', '-a53_cc', '-flags', '-global_header',
    '-map_metadata', '-1', '-acodec', 'aac', '-ab', '128k', '-vb', '3M', '-vcodec', 'libx264', '-shortest', 'out.mp4',
  ]);
  t.same(r.unknownOptions, []);
  t.same(r.globalOptions.map((o) => o.name), ['nostdin']);
  t.match(r.inputs[0], { decoders: [{ spec: 'v', codec: 'h264' }] });
  t.same(r.outputs[0]?.options.map((o) => [o.name, o.base, o.spec, o.value]), [
    ['sei:0', 'sei', '0', '-a53_cc'], ['flags', 'flags', null, '-global_header'], ['map_metadata', 'map_metadata', null, '-1'],
    ['acodec', 'codec', 'a', 'aac'], ['ab', 'b', 'a', '128k'], ['vb', 'b', 'v', '3M'], ['vcodec', 'codec', 'v', 'libx264'],
    ['shortest', 'shortest', null, null],
  ]);
  t.match(r.video, { codec: 'libx264', sourceCodec: 'h264', bitrate: 3000000 });
  t.match(r.audio, { codec: 'aac', bitrate: 128000 });
  t.equal(r.kind, 'video-transcode');
});

t.test('capability queries', async (t) => {
  for (const argv of [[], ['-version'], ['-hide_banner', '-encoders'], ['-hwaccels'], ['-buildconf'], ['-codecs'], ['-h', 'encoder=libx264'], ['--help'], ['-filters']]) {
    t.equal(parsePlexArgv(argv).kind, 'capability-query', JSON.stringify(argv));
  }
  t.equal(parsePlexArgv(['-h', 'encoder=libx264']).outputs.length, 0, '-h takes its topic');
  t.equal(parsePlexArgv(['-hide_banner']).kind, 'unknown');
  t.equal(parsePlexArgv(['-i', 'in.mkv']).kind, 'unknown', 'no output');
});
