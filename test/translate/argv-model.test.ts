// ffmpeg argv grammar: scoping of global, input and output options.
import t from 'tap';
import { parseFfmpegArgv, serializeArgv } from '../../worker/translate/argv-model.ts';
import { loadSample } from './helpers/corpus.ts';

t.test('sample 01: two inputs, two outputs, Plex globals recognised wherever they are', async (t) => {
  const m = parseFfmpegArgv(loadSample('01'));
  t.equal(m.inputs.length, 2);
  t.same(m.outputs.map((o) => o.url), ['media-%05d.ts', 'nullfile']);
  t.ok(m.globals.some((g) => g.name === 'progressurl'));
  t.ok(m.globals.some((g) => g.name === 'map_inlineass' && g.value === '1:s:0'));
  t.ok(m.inputs[0]?.options.some((o) => o.name === 'hwaccel' && o.spec === '0' && o.value === 'vaapi'));
  const sei = m.outputs[0]?.options.find((o) => o.name === 'sei');
  t.same(sei, { name: 'sei', spec: '0', value: '-a53_cc' }, '-sei:0 takes -a53_cc as its value');
});

t.test('sample 16: options after the output are globals; nothing is lost', async (t) => {
  const m = parseFfmpegArgv(loadSample('16'));
  t.equal(m.outputs.length, 1);
  t.same(m.trailing, []);
  for (const g of ['copyts', 'start_at_zero', 'vsync', 'y', 'nostats', 'loglevel', 'loglevel_plex', 'progressurl']) {
    t.ok(m.globals.some((o) => o.name === g), g);
  }
});

t.test('hex stream ids and -noX booleans', async (t) => {
  const m = parseFfmpegArgv(['-codec:#0x01', 'h264', '-noaccurate_seek', '-i', 'in.mp4', '-map', '0:#0x02', '-codec:1', 'copy', 'out.mkv']);
  t.same(m.inputs[0]?.options, [{ name: 'codec', spec: '#0x01', value: 'h264' }, { name: 'noaccurate_seek', spec: null, value: null }]);
  t.same(serializeArgv(m), ['-codec:#0x01', 'h264', '-noaccurate_seek', '-i', 'in.mp4', '-map', '0:#0x02', '-codec:1', 'copy', 'out.mkv']);
});

t.test('per-file options after the last output are reported as trailing', async (t) => {
  t.same(parseFfmpegArgv(['-i', 'a', 'b', '-c:v', 'copy']).trailing, [{ name: 'c', spec: 'v', value: 'copy' }]);
});
