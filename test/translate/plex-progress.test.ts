// Plex's progress protocol from ffmpeg's -progress output, canThrottle, and the SIGSTOP throttle.
import t from 'tap';
import { createPlexProgressReporter, createThrottle } from '../../worker/plex-progress/index.ts';
import { CAN_THROTTLE_RESPONSE, startFakePms } from '../harness/index.ts';

const block = (us: number, size: number, speed: string, end = false): string =>
  `frame=${us / 41666}\nfps=24.0\ntotal_size=${size}\nout_time_us=${us}\nout_time_ms=${us}\nspeed=${speed}\nprogress=${end ? 'end' : 'continue'}\n`;

const streams = [
  { index: 0, codec_type: 'video', codec_name: 'hevc', profile: 'Main 10', width: 3840, height: 2160, field_order: 'progressive',
    level: 153, avg_frame_rate: '24000/1001', sample_aspect_ratio: '1:1', tags: { language: 'eng' }, disposition: { default: 1, forced: 0 } },
  { index: 1, codec_type: 'audio', codec_name: 'eac3', channels: 6, channel_layout: '5.1(side)', sample_rate: '48000', bit_rate: '640000' },
  { index: 2, codec_type: 'subtitle', codec_name: 'subrip' },
];

t.test('requests in Plex shapes, in order', async (t) => {
  const pms = await startFakePms();
  t.teardown(() => pms.close());
  let clock = 0;
  const request = async (method: string, url: string) => {
    const res = await fetch(url, { method });
    return { status: res.status, body: await res.text() };
  };
  const url = `${pms.url}/video/:/transcode/session/s/j/progress`;
  const r = createPlexProgressReporter({ progressUrl: url, request, inputs: [{ streams }], duration: 100, positionOffset: 10, now: () => clock });
  await r.start();
  r.push(block(5_000_000, 1000, '2.0x').slice(0, 20));
  r.push(block(5_000_000, 1000, '2.0x').slice(20));
  clock = 500;
  r.push(block(6_000_000, 2000, '2.0x')); // within a second of the last report: skipped
  clock = 1500;
  r.push(block(40_000_000, 4000, '2.0x'));
  r.push(block(90_000_000, 9000, '2.5x', true));
  await r.finish();
  const urls = pms.requests.map((q) => `${q.method} ${q.url.replace('/video/:/transcode/session/s/j/progress', '')}`);
  t.same(urls, [
    'PUT ?status=startup',
    'PUT ?duration=100.000',
    'PUT /stream?index=0&id=0&codec=hevc&type=video',
    'PUT /streamDetail?index=0&id=0&codec=hevc&type=video&profile=Main+10&language=eng&width=3840&height=2160&interlaced=0&sar=1%3A1&level=153&frameRate=23.976&disp_default=1',
    'PUT /stream?index=1&id=0&codec=eac3&type=audio',
    'PUT /streamDetail?index=1&id=0&codec=eac3&type=audio&bitrate=640&channels=6&layout=5.1%28side%29&sampleRate=48000',
    'PUT ?progress=15.0&size=1000&remaining=43&speed=2.0',
    'PUT ?progress=50.0&size=4000&remaining=25&speed=2.0',
    'PUT ?progress=100.0&size=9000&remaining=0&speed=2.5',
  ]);
});

t.test('canThrottle: throttled, and speed withheld while throttled', async (t) => {
  const pms = await startFakePms();
  t.teardown(() => pms.close());
  pms.setResponder((req) => (req.path.endsWith('/progress') && 'progress' in req.query ? CAN_THROTTLE_RESPONSE : undefined));
  let clock = 0;
  const request = async (method: string, url: string) => {
    const res = await fetch(url, { method });
    return { status: res.status, body: await res.text() };
  };
  const r = createPlexProgressReporter({ progressUrl: `${pms.url}/p/progress`, request, inputs: [], duration: 10, now: () => clock });
  await r.start();
  r.push(block(1_000_000, 10, '3.0x'));
  await r.finish();
  t.equal(r.throttled, true);
  clock = 2000;
  r.push(block(2_000_000, 20, '3.0x'));
  await r.finish();
  const last = pms.requests[pms.requests.length - 1]?.url ?? '';
  t.notMatch(last, /speed=/, 'no speed while throttled');
  pms.setResponder(undefined);
  clock = 4000;
  r.push(block(3_000_000, 30, '3.0x'));
  await r.finish();
  t.equal(r.throttled, false, 'Plex said getting back to work');
});

t.test('throttle pauses 100 ms per frame while throttled, then resumes', async (t) => {
  const signals: string[] = [];
  let frames = 0;
  let throttled = true;
  const th = createThrottle({ pid: 1, frames: () => frames, throttled: () => throttled, intervalMs: 10, kill: (_p, s) => { signals.push(s); } });
  frames = 1;
  await new Promise((r) => setTimeout(r, 40));
  t.equal(signals[0], 'SIGSTOP');
  await new Promise((r) => setTimeout(r, 150));
  t.ok(signals.includes('SIGCONT'), 'resumed after the frame budget');
  throttled = false;
  const count = signals.length;
  frames = 50;
  await new Promise((r) => setTimeout(r, 40));
  t.equal(signals.length, count, 'no pauses when not throttled');
  th.stop();
});
