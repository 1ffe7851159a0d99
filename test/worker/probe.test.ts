import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isPlexBeamError } from '../../core/errors.ts';
import { probeHardware } from '../../worker/probe/index.ts';
import { explainFailure } from '../../worker/probe/test-encode.ts';
import { BIN, FAKE_FFMPEG } from './helpers.ts';

const dir = t.testdir({ dev: { dri: { renderD128: '' } } });
const plexbeam = (args: string[], config: object = {}) => {
  const path = join(dir, `config-${args.join('-')}.json`);
  writeFileSync(path, JSON.stringify(config));
  const result = spawnSync(BIN, [...args, '--config', path], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};


// This machine has no GPU, while Debian's ffmpeg lists NVENC, QSV and VAAPI encoders anyway.
t.test('`plexbeam probe --json` here concludes software, with a reason for every rejected candidate', async (t) => {
  const { code, stdout } = plexbeam(['probe', '--json']);
  t.equal(code, 0);
  const report = JSON.parse(stdout);
  t.match(report, { hwaccel: 'software', requested: 'auto', reason: /no hardware encoder passed/, ffmpeg: { path: 'ffmpeg', version: String } });
  t.ok(report.encoders.includes('libx264'));
  t.same([...new Set(report.candidates.map((c: { hwaccel: string }) => c.hwaccel))], ['nvenc', 'qsv', 'vaapi', 'software']);
  for (const candidate of report.candidates.filter((c: { verdict: string }) => c.verdict === 'rejected')) {
    t.match(candidate.reason, /\S/, `${candidate.encoder}: ${candidate.reason}`);
    t.notMatch(candidate.reason, /^(Error initializing output stream|Conversion failed)/, 'the reason is the meaningful line');
  }
  const nvenc = report.candidates.find((c: { encoder: string }) => c.encoder === 'h264_nvenc');
  if (nvenc.verdict === 'rejected') t.ok(nvenc.ms !== null, 'the listed NVENC encoder was really tried');

  const human = plexbeam(['probe']);
  t.equal(human.code, 0);
  t.match(human.stdout, /^hwaccel\s+encoder\s+device\s+verdict\s+reason$/m);
  t.match(human.stdout, /^selected: software \(libx264/m);
});

t.test('auto picks the first family that passes a test encode; the device is needed and named', async (t) => {
  const report = await probeHardware({ config: { ffmpegPath: FAKE_FFMPEG, hwaccel: 'auto', vaapiDevice: '' }, devDir: join(dir, 'dev') });
  t.match(report, { hwaccel: 'nvenc', encoders: ['h264_nvenc'], ffmpeg: { version: '9.9-fake' }, hwaccels: ['cuda', 'vaapi'] });
  t.match(report.candidates.find((c) => c.encoder === 'h264_vaapi'), {
    device: join(dir, 'dev/dri/renderD128'),
    verdict: 'rejected',
    reason: 'No VA display found for device /dev/dri/renderD128.',
  });
  t.match(report.candidates.find((c) => c.encoder === 'hevc_vaapi'), { verdict: 'rejected', reason: /not in this ffmpeg build/ });
  const noDevice = await probeHardware({ config: { ffmpegPath: FAKE_FFMPEG, hwaccel: 'auto', vaapiDevice: '' }, devDir: join(dir, 'nothing') });
  t.match(noDevice.candidates.find((c) => c.encoder === 'h264_vaapi'), { device: null, verdict: 'rejected', reason: /no render node/, ms: null });
});

t.test('a requested hwaccel that fails falls back to software, saying so', async (t) => {
  const report = await probeHardware({ config: { ffmpegPath: FAKE_FFMPEG, hwaccel: 'vaapi', vaapiDevice: '/dev/dri/renderD128' } });
  t.match(report, { hwaccel: 'software', encoders: ['libx264'], requested: 'vaapi', reason: /"vaapi" was asked for, but none of its encoders passed/ });
  t.notOk(report.candidates.some((c) => c.hwaccel === 'nvenc'), 'only the requested family and software are probed');
});

t.test('no ffmpeg is a clear error (exit 1)', async (t) => {
  const error = await probeHardware({ config: { ffmpegPath: '/nonexistent/ffmpeg', hwaccel: 'auto', vaapiDevice: '' } }).catch((e: unknown) => e);
  t.ok(isPlexBeamError(error, 'FFMPEG_FAILED'));
  const { code, stderr } = plexbeam(['probe'], { worker: { ffmpegPath: '/nonexistent/ffmpeg' } });
  t.equal(code, 1);
  t.match(stderr, /^plexbeam: cannot run ffmpeg \(\/nonexistent\/ffmpeg\)/);
});

t.test('the reason is the first line that explains, without the [encoder @ 0x…] prefix', async (t) => {
  t.equal(explainFailure('[h264_nvenc @ 0x55d1] Cannot load libcuda.so.1\nError initializing output stream 0:0 -- Error while opening encoder'), 'Cannot load libcuda.so.1');
  t.equal(explainFailure('Device creation failed: -542398533.\nFailed to set value'), 'Device creation failed: -542398533.');
  t.equal(explainFailure('Error initializing output stream 0:0\n'), 'Error initializing output stream 0:0');
  t.equal(explainFailure(''), 'failed without a message');
});
