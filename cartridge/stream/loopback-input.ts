/**
 * Stream mode's loopback inputs (docs/CARTRIDGE.md "Stream mode"): a `-i http://127.0.0.1:32400/…`
 * (Plex's own loopback media URL) is out of the worker's reach, so the cartridge asks Plex for
 * it: its size once (`Range: bytes=0-0`), then each range the worker's ffmpeg reads. Plex must
 * answer ranges (206 with `Content-Range`): an input that cannot be read at an offset cannot be
 * streamed seekable, and planning fails (the job falls back). Loaded only when a job streams.
 */
import type { Agent, IncomingMessage } from 'node:http';
import { nodeHttp, nodeHttps } from '../../core/builtins.ts';

let agents: { http: Agent; https: Agent } | undefined;
/** Keep-alive agents: one connection to Plex per read in flight, reused. */
const agentFor = (url: URL): Agent => {
  agents ??= { http: new (nodeHttp().Agent)({ keepAlive: true, maxSockets: 8 }), https: new (nodeHttps().Agent)({ keepAlive: true, maxSockets: 8 }) };
  return url.protocol === 'https:' ? agents.https : agents.http;
};

/** One ranged GET of `url`. */
function get(url: string, first: number, last: number, signal?: AbortSignal): Promise<IncomingMessage> {
  const parsed = new URL(url);
  const client = parsed.protocol === 'https:' ? nodeHttps() : nodeHttp();
  return new Promise((resolve, reject) => {
    const req = client.request(parsed, { method: 'GET', agent: agentFor(parsed), headers: { range: `bytes=${first}-${last}` }, ...(signal === undefined ? {} : { signal }) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The size of the loopback input `url`, from the `Content-Range` of a one-byte ranged GET; throws when Plex does not answer ranges. */
export async function loopbackSize(url: string): Promise<number> {
  const res = await get(url, 0, 0, AbortSignal.timeout(10_000));
  res.resume();
  const total = /^bytes \d+-\d+\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''))?.[1];
  if (res.statusCode !== 206 || total === undefined) throw new Error(`${url.replace(/\?.*/, '?…')} answered a range request with HTTP ${res.statusCode} and no Content-Range: it cannot be streamed seekable`);
  return Number(total);
}

/** Bytes `offset` to `offset + length` of the loopback input `url` (fewer at its end). */
export async function loopbackRead(url: string, offset: number, length: number): Promise<Buffer> {
  const res = await get(url, offset, offset + length - 1);
  if (res.statusCode !== 206 && !(res.statusCode === 416 || (res.statusCode === 200 && offset === 0))) {
    res.resume();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  if (res.statusCode === 416) {
    res.resume();
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= length) break;
  }
  if (size >= length) res.destroy();
  return Buffer.concat(chunks).subarray(0, length);
}
