// The wire contract against the code that produces it: a real worker's /health, 202 and link
// lines, read by the core readers the cartridge, doctor and analyze use; and the cartridge's
// own request body and callback reply, validated as the worker validates them.
import { request as httpGet } from 'node:http';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requestJson } from '../../../cartridge/http.ts';
import { readHealth } from '../../../core/wire/health.ts';
import { readLinkLine, validateCallbackReply, type CallbackReplyBody, type LinkMessage } from '../../../core/wire/link.ts';
import { acceptedJobId, validateTranscodeRequest, type TranscodeRequestBody } from '../../../core/wire/transcode.ts';
import { requestWorker } from '../../../core/wire/worker-request.ts';
import { API_KEY, makeMedia, startWorker } from '../../worker/helpers.ts';

const dir = realpathSync(t.testdir({ media: {}, tx: { sess: {} } }));
makeMedia(join(dir, 'media', 'in.mkv'), 2);
const worker = await startWorker(dir, { maxJobs: 2, mediaRoots: [join(dir, 'media')], transcodeRoots: [join(dir, 'tx')] });
t.teardown(() => worker.stop());

/** Every raw line of a job's link until the worker ends it, answering each complete callback as a cartridge does. */
function readLink(jobId: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const req = httpGet(`${worker.base}/jobs/${jobId}/link?after=0`, { headers: { 'x-api-key': API_KEY } }, (res) => {
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          lines.push(line);
          const read = readLinkLine(line);
          const m = read.message;
          if ((m?.type === 'callback' || m?.type === 'callback_data') && m.end) {
            const reply: CallbackReplyBody = { seq: m.seq, status: 200, content_type: 'text/plain', body_b64: Buffer.from('ok').toString('base64') };
            void requestWorker(worker.base, `/jobs/${jobId}/callback-replies`, { method: 'POST', apiKey: API_KEY, body: reply, timeoutMs: 5000 }).catch(() => undefined);
          }
        }
      });
      res.on('end', () => resolve(lines));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test("a real worker's /health reads as health, through both clients", async (t) => {
  const viaCore = await requestWorker(worker.base, '/health', { timeoutMs: 5000 });
  const viaCartridge = await requestJson(`${worker.base}/health`, { signal: AbortSignal.timeout(5000) });
  for (const [who, reply] of [['core client', viaCore], ['cartridge client', viaCartridge]] as const) {
    const reading = readHealth(reply.body);
    t.equal(reading.problem, undefined, `${who}: ${reading.problem ?? 'a health body'}`);
    t.match(reading.health, { status: 'ok', version: String, hwaccel: 'software', jobs: { running: 0, queued: 0, max: 2 }, capabilities: { link: 1 } });
    t.ok(reading.health?.encoders.includes('libx264'), `${who}: encoders`);
  }
});

t.test('a request body the cartridge sends is valid for the worker, and its 202 gives a job id; the link reads line by line', async (t) => {
  const body: TranscodeRequestBody = {
    session_id: 'wire-test',
    argv: ['-i', join(dir, 'media', 'in.mkv'), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'hls', '-hls_time', '1', '-method', 'PUT', 'http://127.0.0.1:32400/hls/x.m3u8'],
    env: { LANG: 'C' },
    cwd: join(dir, 'tx', 'sess'),
  };
  t.match(validateTranscodeRequest(JSON.parse(JSON.stringify(body))), { sessionId: 'wire-test', cwd: body.cwd, env: { LANG: 'C' } }, 'what the worker validates');
  const res = await requestJson(`${worker.base}/transcode`, { method: 'POST', headers: { 'x-api-key': API_KEY }, body, signal: AbortSignal.timeout(5000) });
  t.equal(res.status, 202);
  const jobId = acceptedJobId(res.body);
  t.type(jobId, 'string');
  const lines = await readLink(jobId as string);
  const read = lines.map((line) => readLinkLine(line));
  t.strictSame(read.filter((r) => r.problem !== undefined || r.unknownType !== undefined), [], 'every line is a known, well-formed message');
  const types = new Set(read.map((r) => (r.message as LinkMessage).type));
  for (const type of ['hello', 'callback', 'callback_data', 'stderr', 'progress', 'exit']) t.ok(types.has(type as LinkMessage['type']), `saw ${type}`);
  t.match(read.at(-1)?.message, { type: 'exit', state: 'completed', code: 0 });
});

t.test('a reply the cartridge sends is valid for the worker', async (t) => {
  const reply: CallbackReplyBody = { seq: 3, status: 200, content_type: 'text/xml', body_b64: Buffer.from('<MediaContainer canThrottle="1"/>').toString('base64') };
  const valid = validateCallbackReply(JSON.parse(JSON.stringify(reply)));
  t.match(valid, { seq: 3, status: 200, contentType: 'text/xml' });
  t.equal(valid.body.toString(), '<MediaContainer canThrottle="1"/>');
});
