// End to end: the HLS-style corpus samples (ssegment/segment) run on stock ffmpeg after translation.
import t from 'tap';
import { checkCsvList, checkHeaderPlusSegments, checkProgress, checkSegments } from './helpers/checks.ts';
import { runSample } from './helpers/corpus.ts';
import { startFakePms } from './helpers/fake-pms.ts';
import { testMedia } from './helpers/media.ts';

const pms = await startFakePms();
t.teardown(() => pms.close());

// 4K outputs are encoded in software here (2 shared cores), so their media last 1-2 s.
t.test('01 Android original quality: VAAPI 4K HDR + inlineass burn-in of a sidecar SRT', async (t) => {
  const dir = t.testdir();
  const r = await runSample('01', dir, pms, { inputs: [testMedia('hdr', 1), 'temp-0.srt'] });
  t.equal(r.code, 0, r.stderr);
  t.match(r.result.argv.join(' '), /subtitles=filename=.*temp-0\.srt:si=0/, 'inlineass became subtitles=');
  const segs = checkSegments(t, dir, 0, []);
  checkHeaderPlusSegments(t, dir, segs, ['video', 'audio']);
  checkCsvList(t, pms, segs, 0, true);
  checkProgress(t, pms, '/video/:/transcode/session/b54ca799-9a71-4d71-b4a7-03099f095c57/26836fd9-9a79-4de7-b7c1-d01d25b2fcda/progress');
});

t.test('02 Android seek: -ss before both inputs, -segment_start_number (1816 s scaled to 1 s)', async (t) => {
  const dir = t.testdir();
  const r = await runSample('02', dir, pms, {
    inputs: [testMedia('hdr', 2), 'temp-0.srt'],
    seek: { from: '1816', to: '1', numbers: { from: '1816', to: '1' } },
  });
  t.equal(r.code, 0, r.stderr);
  const segs = checkSegments(t, dir, 1, []);
  checkHeaderPlusSegments(t, dir, segs, ['video', 'audio']);
  const before = pms.requests.length;
  t.ok(before > 0);
  checkCsvList(t, pms, segs, 1, true);
});

t.test('06 direct stream: HEVC copy, EAC3 → AAC 5.1, ASS copied, 10 s segments', async (t) => {
  const dir = t.testdir();
  const r = await runSample('06', dir, pms, { inputs: [testMedia('hevcass', 12)] });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.dropped.some((d) => d.option === '-strict_ts:2'), '-strict_ts dropped');
  const segs = checkSegments(t, dir, 0, []);
  t.ok(segs.length >= 2, 'more than one 10 s segment');
  checkHeaderPlusSegments(t, dir, segs.slice(0, 1), ['video', 'audio', 'subtitle']);
  checkCsvList(t, pms, segs, 0, true);
});

t.test('07 NVIDIA phone: NVDEC + scale_cuda → software, sidecar SRT carried as a stream', async (t) => {
  const dir = t.testdir();
  const r = await runSample('07', dir, pms, { inputs: [testMedia('hdr', 1), 'temp-0.srt'] });
  t.equal(r.code, 0, r.stderr);
  t.notMatch(r.result.argv.filter((a) => !a.includes('/')).join(' '), /cuda|nvenc|forced-idr/, 'no CUDA left for the software backend');
  const segs = checkSegments(t, dir, 0, []);
  checkHeaderPlusSegments(t, dir, segs, ['video', 'audio', 'subtitle']);
});

t.test('20 VAAPI 4K, SRT carried as a stream', async (t) => {
  const dir = t.testdir();
  const r = await runSample('20', dir, pms, { inputs: [testMedia('hdr', 1), 'temp-0.srt'] });
  t.equal(r.code, 0, r.stderr);
  const segs = checkSegments(t, dir, 0, []);
  checkHeaderPlusSegments(t, dir, segs, ['video', 'audio', 'subtitle']);
  checkCsvList(t, pms, segs, 0, true);
});

t.test('16 older Plex: -f segment mpegts, DTS → AAC, options after the output, LAN progress URL', async (t) => {
  const dir = t.testdir();
  const r = await runSample('16', dir, pms, { inputs: [testMedia('h264dts', 12)] });
  t.equal(r.code, 0, r.stderr);
  t.ok(r.result.dropped.some((d) => d.option === '-segment_copyts'), '-segment_copyts dropped');
  t.equal(r.result.progressUrl, `${pms.base}/video/:/transcode/session/vpi6uq55a3n/progress`);
  checkProgress(t, pms, '/video/:/transcode/session/vpi6uq55a3n/progress');
  const segs = checkSegments(t, dir, 0, []);
  for (const s of segs) {
    const { ffprobe } = await import('./helpers/run.ts');
    t.same(ffprobe(`${dir}/${s}`).streams.map((x) => x.codec_name), ['h264', 'aac'], `${s} is a readable mpegts`);
  }
});

t.test('17 Live TV over HTTP (served by a loopback server of the test), mpegts segments', async (t) => {
  const { createServer } = await import('node:http');
  const { createReadStream } = await import('node:fs');
  const server = createServer((_req, res) => { res.setHeader('content-type', 'video/mp2t'); createReadStream(testMedia('ts', 12)).pipe(res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const dir = t.testdir();
  const r = await runSample('17', dir, pms, { inputs: [`http://127.0.0.1:${port}/live/3493.ts`] });
  t.equal(r.code, 0, r.stderr);
  const segs = checkSegments(t, dir, 0, []);
  const { ffprobe } = await import('./helpers/run.ts');
  t.same(ffprobe(`${dir}/${segs[0]}`).streams.map((x) => x.codec_name), ['h264', 'ac3'], 'video copied, audio AC3');
});
