import t from 'tap';
import { parsePlexArgv } from '../../../core/plex-argv/index.ts';
import { SAMPLE_IDS, loadSample } from './corpus.ts';

t.test('04: thumbnail generation (image2 jpeg, no progress URL) is detection', async (t) => {
  const r = parsePlexArgv(loadSample('04'));
  t.equal(r.kind, 'detection');
  t.equal(r.seekSeconds, 1321);
  t.match(r, { format: 'image2', protocol: 'images', container: 'image2' });
  t.same(r.inputs[0]?.decoders, [{ spec: 'v', codec: 'libdav1d' }]);
  t.match(r.video, { codec: null, sourceCodec: 'libdav1d', width: 320, height: 320 });
  t.equal(r.audio, null);
  t.same(r.callbackUrls, []);
  t.same(r.outputs[0]?.streams[0]?.filters, ['fps', 'scale', 'showinfo']);
});

t.test('05: Optimize for Mobile into Plex Versions/…/.inProgress is optimize', async (t) => {
  const r = parsePlexArgv(loadSample('05'));
  t.equal(r.kind, 'optimize');
  t.match(r, { format: 'mp4', protocol: 'file', container: 'mp4', segments: null });
  t.match(r.outputs[0]?.target, /Plex Versions\/Optimized for Mobile\/\.inProgress\/.*\.mp4\.17581$/);
  t.match(r.video, { codec: 'hevc_vaapi', sourceCodec: 'av1', width: 1280, height: 720, qp: 18, maxrate: 4000000 });
  t.match(r.audio, { codec: 'aac', channels: 2, bitrate: 216000 });
  t.ok(r.outputs[0]?.options.some((o) => o.name === 'bsf:1' && o.value === 'framedrop=count=2'));
});

t.test('15: Optimize of a 4K HDR10 source to 720p HEVC is optimize, without tone mapping', async (t) => {
  const r = parsePlexArgv(loadSample('15'));
  t.equal(r.kind, 'optimize');
  t.match(r.video, { codec: 'hevc_vaapi', width: 1280, height: 720 });
  t.equal(r.toneMapping.enabled, false);
  t.same(r.callbackUrls.map((u) => u.role), ['progress']);
});

t.test('19: audio detection pass (flac into /Transcode/Detection/) is detection', async (t) => {
  const r = parsePlexArgv(loadSample('19'));
  t.equal(r.kind, 'detection');
  t.match(r, { format: 'flac', protocol: 'file', container: 'flac', video: null });
  t.equal(r.durationSeconds, 726.4975);
  t.match(r.audio, { codec: 'flac', sourceCodec: 'eac3_eae', channels: 2, sampleRate: 44100, bitrate: 4096000 });
  t.same(r.inputs[0]?.decoders, [{ spec: '1', codec: 'eac3_eae' }]);
  t.same(r.callbackUrls.map((u) => u.role), ['progress']);
});

t.test('every sample parses cleanly: no unknown option, no warning, a 12-hex pattern id', async (t) => {
  const ids = new Map<string, string>();
  for (const id of SAMPLE_IDS) {
    const r = parsePlexArgv(loadSample(id));
    t.same(r.unknownOptions, [], `${id} unknown options`);
    t.same(r.warnings, [], `${id} warnings`);
    t.match(r.patternId, /^[0-9a-f]{12}$/, `${id} pattern id`);
    t.notOk(/[0-9a-f]{8}-[0-9a-f]{4}-/.test(r.pattern), `${id} pattern holds no uuid`);
    t.notOk(r.pattern.includes('/media/'), `${id} pattern holds no media path`);
    ids.set(r.patternId, id);
  }
  t.equal(ids.size, SAMPLE_IDS.length, 'no two samples share a pattern');
});

t.test('every sample has its inputs and outputs where the argv says', async (t) => {
  for (const id of SAMPLE_IDS) {
    const argv = loadSample(id);
    const r = parsePlexArgv(argv);
    t.ok(r.inputs.length > 0 && r.outputs.length > 0, `${id} has inputs and outputs`);
    for (const input of r.inputs) t.equal(argv[input.argvIndex - 1], '-i', `${id} input ${input.index}`);
    for (const output of r.outputs) t.equal(argv[output.argvIndex], output.target, `${id} output ${output.index}`);
    for (const url of [...r.callbackUrls, ...r.remoteUrls]) t.equal(argv[url.argvIndex], url.url, `${id} url index`);
  }
});
