// Issue 18's sandbox findings, each a regression test with variants: what an attacker holding the
// worker's API key could send, refused at POST (prepareJob is what POST runs) with a 403 that names
// the option and never where something resolves outside the roots; and what Plex needs, accepted.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { isPlexBeamError } from '../../core/errors.ts';
import { demuxerWhitelist } from '../../core/ffmpeg-grammar/index.ts';
import { argvVerdict, prepareJob, type PrepareContext } from '../../worker/sandbox/index.ts';
import { createPathPolicy } from '../../worker/sandbox/path-policy.ts';
import { validateTranscodeRequest } from '../../worker/sandbox/request.ts';

const dir = realpathSync(t.testdir({
  media: { Movies: { 'in.mkv': 'x', 'Plex Versions': {} }, 'frames': { 'img-001.jpg': 'x' } },
  tx: { sess: { 'temp-0.srt': '1\n00:00:00,000 --> 00:00:01,000\nhi\n', 'font.ttf': 'f', 'list.txt': 'x' } },
  'outside-secret-place': { 'secret.srt': 's', 'secret.txt': 's' },
}));
const OUTSIDE = join(dir, 'outside-secret-place');
const CWD = join(dir, 'tx', 'sess');
const IN = join(dir, 'media', 'Movies', 'in.mkv');
symlinkSync(OUTSIDE, join(CWD, 'escape'));
symlinkSync(join(OUTSIDE, 'secret.srt'), join(CWD, 'link.srt'));
symlinkSync('/dev/zero', join(dir, 'media', 'Movies', 'zero.mkv'));
execFileSync('mkfifo', [join(dir, 'media', 'Movies', 'fifo.mkv'), join(CWD, 'fifo.srt')]);

const context = (overrides: Partial<PrepareContext> = {}): PrepareContext => ({
  policy: createPathPolicy({ mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')], pathMap: [] }),
  allowHttpInputs: false,
  translate: { backend: 'software', encoders: ['libx264'] },
  callbacks: { port: 4444, jobId: 'job9', token: 'tok' },
  ...overrides,
});
const prepare = (argv: string[], overrides: Partial<PrepareContext> = {}) =>
  prepareJob(validateTranscodeRequest({ session_id: 's', argv, env: {}, cwd: CWD }), context(overrides));

/** Asserts a 403 whose message matches `pattern` and shows nothing of where things resolve outside the roots. */
function refused(t: Test, argv: string[], pattern: RegExp, overrides: Partial<PrepareContext> = {}): void {
  let error: unknown;
  try {
    prepare(argv, overrides);
  } catch (caught) {
    error = caught;
  }
  const what = argv.join(' ');
  t.ok(isPlexBeamError(error, 'WORKER_FORBIDDEN'), `403: ${what}`);
  const message = error instanceof Error ? error.message : '';
  t.match(message, pattern, what);
  t.notOk(message.includes(OUTSIDE), `the message does not reveal the real path outside the roots: ${what}`);
}
const accepted = (t: Test, argv: string[], overrides: Partial<PrepareContext> = {}) => {
  try {
    return prepare(argv, overrides);
  } catch (error) {
    t.fail(`accepted: ${argv.join(' ')}: ${(error as Error).message}`);
    return undefined;
  }
};

t.test('filter arguments escaped one level deeper are read as ffmpeg reads them: file reads, writes and URLs', async (t) => {
  const read = [
    'drawtext=textfile=\\\\/etc/passwd', "drawtext=textfile='\\/etc/passwd'", "drawtext='textfile=\\/etc/passwd'",
    "drawtext=textfile=\\/\\e\\t\\c/passwd",
    'drawtext=fontfile=/etc/passwd:text=x', 'drawtext=\\\\/etc/passwd:hi', 'subtitles=\\\\/etc/passwd',
    'ass=filename=\\\\/etc/passwd', 'subtitles=f=\\\\/etc/passwd', 'subtitles=temp-0.srt:fontsdir=\\\\/etc',
    'lut3d=file=\\\\/etc/passwd', 'lut1d=\\\\/etc/passwd', 'nnedi=weights=\\\\/etc/passwd',
  ];
  for (const graph of read) refused(t, ['-i', IN, '-vf', graph, 'o.ts'], /filter "\w+" in -vf: \w+ "\/etc.*" is outside the allowed folders/);
  const write = ['metadata=mode=print:file=\\\\/tmp/out', 'metadata=print:file=\\\\/tmp/out', 'metadata=print:::::\\\\/tmp/out',
    'deshake=filename=\\\\/tmp/x.log'];
  for (const graph of write) refused(t, ['-i', IN, '-vf', graph, 'o.ts'], /"\/tmp\/.*" is outside the allowed folders \(transcodeRoots\)/);
  refused(t, ['-i', IN, '-af', 'ametadata=mode=print:file=\\\\/tmp/out', 'o.ts'], /filter "ametadata" in -af: file "\/tmp\/out" is outside/);
  const urls = [
    'subtitles=filename=http\\\\:\\\\/\\\\/10.0.0.1\\\\/x.srt', "subtitles='http\\:\\/\\/10.0.0.1/x.srt'",
    'metadata=mode=print:file=http\\\\:\\\\/\\\\/10.0.0.1\\\\/x', 'drawtext=textfile=tcp\\\\:\\\\/\\\\/10.0.0.1\\\\:9',
    'subtitles=filename=crypto+file\\\\:\\\\/etc/passwd', 'subtitles=subfile\\,\\,start\\,0\\,end\\,9\\,\\,\\\\:\\\\/etc/passwd',
    'ass=file\\\\:\\\\/etc/passwd',
  ];
  for (const graph of urls) refused(t, ['-i', IN, '-filter_complex', `[0:v]${graph}[v]`, '-map', '[v]', 'o.ts'], /names a "[\w+,]*:" URL; filters may only use files/);
  // ffmpeg gives a positional value after a named one to the option after it (`text=hi:/x` sets textfile).
  refused(t, ['-i', IN, '-vf', 'drawtext=text=hi:\\\\/etc/passwd', 'o.ts'], /a positional argument after a named one/);
  // What Plex and the translation need: files inside the roots, however they are escaped.
  accepted(t, ['-i', IN, '-vf', 'subtitles=filename=temp-0.srt', 'o.ts']);
  accepted(t, ['-i', IN, '-vf', "subtitles='te\\mp-0.srt':fontsdir=.", 'o.ts']);
  accepted(t, ['-i', IN, '-vf', `subtitles=filename=${CWD.replaceAll('/', '\\\\/')}/temp-0.srt`, 'o.ts']);
});

t.test('-attach takes only a plain file inside the roots: no URL, no protocol, no symlink out, no FIFO', async (t) => {
  for (const value of ['file:/etc/passwd', 'tcp://10.0.0.1:9', 'http://10.0.0.1/x.ttf', 'http://127.0.0.1:32400/x', 'crypto+file:/etc/passwd',
    'subfile,,start,0,end,9,,:/etc/passwd', 'unix:/run/x.sock']) {
    refused(t, ['-i', IN, '-attach', value, '-metadata:s:t', 'mimetype=font/ttf', 'o.mkv'], /-attach .*attachments must be plain files/);
  }
  refused(t, ['-i', IN, '-attach', '/etc/passwd', 'o.mkv'], /-attach "\/etc\/passwd" is outside the allowed folders/);
  refused(t, ['-i', IN, '-attach', 'escape/secret.txt', 'o.mkv'], /-attach "escape\/secret.txt" is outside the allowed folders/);
  refused(t, ['-i', IN, '-attach', 'fifo.srt', 'o.mkv'], /-attach "fifo.srt" is not a regular file/);
  refused(t, ['-i', IN, '-attach', 'missing.ttf', 'o.mkv'], /does not exist/);
  const job = accepted(t, ['-i', IN, '-attach', 'font.ttf', '-metadata:s:t', 'mimetype=font/ttf', 'o.mkv']);
  t.ok(job?.command.argv.includes('font.ttf'), 'a font inside the job folder is attached');
});

t.test('globs, image patterns, HLS %v names, -safe 0, concat lists and playlists cannot reach outside the roots', async (t) => {
  refused(t, ['-pattern_type', 'glob', '-i', `${dir}/media/.*/.*/outside-secret-place/*`, 'o.ts'], /-pattern_type is not allowed/);
  refused(t, ['-f', 'image2', '-i', `${dir}/media/frames/.*/.*/x-%03d.jpg`, 'o.ts'], /input format "-f image2" is not on the allow-list/);
  refused(t, ['-f', 'concat', '-safe', '0', '-i', 'list.txt', 'o.ts'], /-safe is not allowed|"-f concat"/);
  refused(t, ['-safe', '0', '-i', 'list.txt', 'o.ts'], /-safe is not allowed/);
  refused(t, ['-f', 'ffconcat', '-i', 'list.txt', 'o.ts'], /"-f ffconcat" is not on the allow-list/);
  refused(t, ['-f', 'hls', '-i', `${dir}/media/Movies/in.mkv`, 'o.ts'], /"-f hls" is not on the allow-list/);
  refused(t, ['-i', IN, '-f', 'hls', '-var_stream_map', 'v:0,name:../../../outside', 'out_%v.m3u8'], /"name:" must be letters/);
  refused(t, ['-i', IN, '-f', 'hls', '-var_stream_map', 'v:0,agroup:a/b', 'out_%v.m3u8'], /"agroup:" must be letters/);
  refused(t, ['-i', IN, '-f', 'hls', '-hls_segment_filename', '/tmp/%v/seg-%d.ts', 'out.m3u8'], /-hls_segment_filename value "\/tmp\/%v\/seg-%d.ts" is outside/);
  refused(t, ['-i', IN, '-f', 'hls', '-master_pl_name', '../../../master.m3u8', 'out.m3u8'], /-master_pl_name .*expected a file name inside the output's folder/);
  refused(t, ['-i', IN, '-f', 'hls', '-hls_fmp4_init_filename', '/tmp/init.mp4', 'out.m3u8'], /expected a file name inside/);
  refused(t, ['-i', IN, '-f', 'dash', '-init_seg_name', '../../x-$RepresentationID$.m4s', 'out.mpd'], /-init_seg_name .*expected a file name inside/);
  refused(t, ['-i', IN, '-f', 'segment', '-segment_format', 'hls', 'o-%d.ts'], /-segment_format "hls" is not a format a segmenter may nest/);
  refused(t, ['-i', IN, '-f', 'segment', '-segment_format_options', 'hls_segment_filename=/tmp/x', 'o-%d.ts'], /-segment_format_options hls_segment_filename value "\/tmp\/x" is outside/);
  refused(t, ['-i', IN, '-f', 'segment', '-segment_format_options', 'protocol_whitelist=file\\,tcp', 'o-%d.ts'], /protocol_whitelist" is not allowed/);
  const hls = accepted(t, ['-i', IN, '-map', '0:v', '-f', 'hls', '-var_stream_map', 'v:0,name:low', '-hls_segment_filename', 'low/seg-%d.ts', 'out_%v.m3u8']);
  t.ok(hls, 'plain HLS variant names are accepted');
  accepted(t, ['-i', 'http://tv.example/live/index.m3u8', '-c', 'copy', '-f', 'mpegts', 'o.ts'], { allowHttpInputs: true });
  accepted(t, ['-f', 'hls', '-i', 'http://tv.example/live/index.m3u8', '-c', 'copy', '-f', 'mpegts', 'o.ts'], { allowHttpInputs: true });
});

t.test('a media file whose content is a playlist or an image pattern is refused by ffmpeg itself: the demuxer is pinned', async (t) => {
  const media = join(dir, 'media', 'Movies');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=64x64', '-c:v', 'mpeg4', join(OUTSIDE, 'secret.mkv')]);
  writeFileSync(join(media, 'concat.mkv'), `ffconcat version 1.0\nfile '${OUTSIDE}/secret.mkv'\n`);
  writeFileSync(join(media, 'playlist.mkv'), `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://${OUTSIDE}/secret.mkv\n#EXT-X-ENDLIST\n`);
  for (const name of ['concat.mkv', 'playlist.mkv', 'frames/img-%03d.jpg']) {
    const input = name.startsWith('frames') ? join(dir, 'media', name) : join(media, name);
    // The scan cannot see inside the file; it accepts, and pins the demuxers and protocols.
    const job = accepted(t, ['-autorotate', '1', '-i', input, '-c:v', 'mpeg4', '-f', 'matroska', `out-${name.length}.mkv`]);
    if (job === undefined) continue;
    const argv = job.command.argv;
    const at = argv.indexOf(input);
    t.same(argv.slice(at - 7, at), ['-autorotate', '1', '-format_whitelist', demuxerWhitelist(false), '-protocol_whitelist', 'file', '-i'],
      '-autorotate keeps its value; the pins sit right before -i');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile('ffmpeg', ['-hide_banner', '-nostdin', ...argv], { cwd: CWD, encoding: 'utf8' }, (error, _out, stderr) =>
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stderr }));
    });
    t.not(result.code, 0, `ffmpeg refuses ${name}`);
    t.match(result.stderr, /not on whitelist/, `${name}: content detection may pick only an allowed demuxer`);
    t.notOk(existsSync(join(CWD, `out-${name.length}.mkv`)) && /Stream #0/.test(result.stderr), `${name}: nothing outside was transcoded`);
  }
});

t.test('-autorotate and -autoscale take a value (ffmpeg 5.1): it cannot swallow the pins the worker inserts', async (t) => {
  refused(t, ['-autorotate', '-i', IN, 'o.ts'], /-autorotate "-i": expected a number/);
  refused(t, ['-i', IN, '-autoscale', '-protocol_whitelist', 'file,tcp', 'o.ts'], /-autoscale "-protocol_whitelist": expected a number/);
  const job = accepted(t, ['-noautorotate', '-i', IN, '-autoscale', '0', 'o.ts']);
  t.same(job?.command.argv.slice(-5), ['-autoscale', '0', '-protocol_whitelist', 'file,http,tcp', 'o.ts'], 'the output pin follows -autoscale 0');
  const argv = job?.command.argv ?? [];
  t.equal(argv[argv.indexOf('-autoscale') + 1], '0');
  t.equal(argv[argv.indexOf('-noautorotate') + 1], '-format_whitelist', '-noautorotate takes no value');
});

t.test('deshake=filename= is a file written, checked for writing', async (t) => {
  refused(t, ['-i', IN, '-vf', `deshake=filename=${dir}/media/Movies/d.log`, 'o.ts'], /writes into a media root outside a "Plex Versions" folder/);
  refused(t, ['-i', IN, '-vf', 'deshake=0:0:-1:-1:16:16:0:8:0:0:\\\\/tmp/d.log', 'o.ts'], /filter "deshake" in -vf: filename "\/tmp\/d.log" is outside/);
  const verdict = argvVerdict(['-i', IN, '-vf', 'deshake=filename=d.log', 'o.ts'],
    { policy: context().policy, cwd: CWD, allowHttpInputs: false });
  t.match(verdict, { accepted: true, checked: { touches: [{ path: IN, access: 'read' }, { path: join(CWD, 'd.log'), access: 'write' }, { path: join(CWD, 'o.ts'), access: 'write' }] } },
    'accepted inside the job folder, and reported as a write');
});

t.test('relative filter file arguments resolve against the job folder, symlinks followed', async (t) => {
  for (const graph of ['subtitles=escape/secret.srt', 'subtitles=filename=escape/secret.srt', 'subtitles=link.srt',
    'drawtext=textfile=escape/secret.txt', 'subtitles=filename=escape/../escape/secret.srt', 'subtitles=filename=./escape//secret.srt']) {
    refused(t, ['-i', IN, '-vf', graph, 'o.ts'], /is outside the allowed folders \(mediaRoots and transcodeRoots\)$/);
  }
  refused(t, ['-i', IN, '-vf', 'metadata=mode=print:file=escape/out.txt', 'o.ts'], /file "escape\/out.txt" is outside the allowed folders \(transcodeRoots\)$/);
  refused(t, ['-i', IN, '-vf', 'subtitles=fifo.srt', 'o.ts'], /"fifo.srt" is not a regular file/);
});

t.test('a FIFO, socket, folder or device as an input is refused at POST', async (t) => {
  const socket = join(dir, 'media', 'Movies', 'sock.mkv');
  const server = createServer().listen(socket);
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  refused(t, ['-i', join(dir, 'media', 'Movies', 'fifo.mkv'), 'o.ts'], /input ".*fifo.mkv" is not a regular file/);
  refused(t, ['-i', socket, 'o.ts'], /is not a regular file/);
  refused(t, ['-i', join(dir, 'media', 'Movies'), 'o.ts'], /is not a regular file/);
  refused(t, ['-i', join(dir, 'media', 'Movies', 'zero.mkv'), 'o.ts'], /zero.mkv" is outside the allowed folders/);
  refused(t, ['-i', '/dev/zero', 'o.ts'], /is a device/);
  refused(t, ['-i', 'file:/dev/zero', 'o.ts'], /is a device/);
});

t.test('only what is on the allow-list runs: options, formats, filters, protocols', async (t) => {
  refused(t, ['-i', IN, '-not_an_option', '1', 'o.ts'], /option -not_an_option is not on the allow-list/);
  refused(t, ['-protocol_whitelist', 'file,tcp', '-i', IN, 'o.ts'], /-protocol_whitelist is not allowed: the worker sets the allowed protocols/);
  refused(t, ['-format_whitelist', 'concat', '-i', IN, 'o.ts'], /-format_whitelist is not allowed/);
  refused(t, ['-enable_drefs', '1', '-i', IN, 'o.ts'], /-enable_drefs is not allowed/);
  refused(t, ['-i', IN, '-vf', 'frei0r=x', 'o.ts'], /filter "frei0r" in -vf is not on the allow-list/);
  refused(t, ['-i', IN, '-vf', 'Scale=1:2', 'o.ts'], /filter "Scale" in -vf is not on the allow-list/);
  refused(t, ['-i', IN, '-f', 'rtp', 'rtp://10.0.0.1:5004'], /output format "-f rtp" is not on the allow-list/);
  refused(t, ['-i', IN, '-f', 'fifo', 'o.ts'], /output format "-f fifo"/);
  refused(t, ['-i', 'crypto+file:/etc/passwd', 'o.ts'], /names a protocol/);
  refused(t, ['-i', 'subfile,,start,0,end,9,,:/etc/passwd', 'o.ts'], /names a protocol/);
  refused(t, ['-i', IN, 'crypto+file:/tmp/x.ts'], /names a protocol/);
  // Plex's own options pass in Plex's argv (the translation removes them), never in what runs.
  t.match(argvVerdict(['-i', IN, '-map_inlineass', '0:s:0', 'o.ts'], { policy: context().policy, cwd: CWD, allowHttpInputs: false }),
    { accepted: false, code: 'WORKER_FORBIDDEN', message: /-map_inlineass is Plex's own/ });
  refused(t, ['-h', '-i', IN, 'o.ts'], /-h is not allowed: prints information and exits/);
  // Plex's own vocabulary, and a stock argv of the same shape, pass.
  accepted(t, ['-ss', '10', '-noaccurate_seek', '-analyzeduration', '20000000', '-probesize', '20000000', '-i', IN, '-map', '0:0',
    '-codec:0', 'libx264', '-crf:0', '23', '-preset:0', 'veryfast', '-x264opts:0', 'subme=0:me_range=4:rc_lookahead=10', '-maxrate:0', '4M',
    '-bufsize:0', '8M', '-force_key_frames:0', 'expr:gte(t,n_forced*3)', '-filter_complex', '[0:0]scale=w=1280:h=720,format=yuv420p[v]',
    '-map', '[v]', '-f', 'dash', '-seg_duration', '3', '-init_seg_name', 'init-stream$RepresentationID$.m4s',
    '-media_seg_name', 'chunk-stream$RepresentationID$-$Number%05d$.m4s', '-window_size', '5', '-use_template', '1', 'dash.mpd']);
});

t.test("stream mode: a filter may read exactly the job's own input URL (a burn-in of the media's embedded subtitles), no other URL", async (t) => {
  const base = 'http://127.0.0.1:4444/in/job9/tok/';
  const stream = { streamInputBase: base };
  // As the graph writes it: the URL's colons escaped once, the whole value quoted.
  const graph = (url: string, key = 'filename') => `[0:v]subtitles=${key}='${url.replace(/:/g, '\\:')}'[v]`;
  const argv = (url: string, key?: string) => ['-i', `${base}0`, '-filter_complex', graph(url, key), '-map', '[v]', 'o.ts'];
  t.doesNotThrow(() => prepare(argv(`${base}0`), stream), 'its own input URL, read by the subtitles filter');
  for (const url of [`http://127.0.0.1:4444/in/job8/tok/0`, `http://127.0.0.1:4444/in/job9/other/0`, `${base}0/../1`, `${base}0?x=1`, `${base}0x`, `${base}`, 'http://10.0.0.1/x.srt', `${base.replace('http', 'https')}0`]) {
    refused(t, argv(url), /names a "https?:" URL; filters may only use files/, stream);
  }
  refused(t, argv(`${base}0`, 'fontsdir'), /names a "http:" URL; filters may only use files/, stream);
  refused(t, argv(`${base}0`), /is on the Plex machine's loopback|names a "http:" URL/);
});
