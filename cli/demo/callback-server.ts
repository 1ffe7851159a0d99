/**
 * A stand-in for Plex Media Server's HTTP side on 127.0.0.1: it takes the transcoder's callbacks
 * (progress reports, the segment list), answers them as Plex does when it has nothing to say,
 * and counts them; the first list that names a segment is when Plex could start playing.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The callbacks received so far. */
export interface CallbackCounts {
  progress: number;
  segmentList: number;
  other: number;
}

export interface CallbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  counts: CallbackCounts;
  /** When (ms since the epoch) a segment list first named a segment; null until then. */
  firstSegmentListedAt: number | null;
  /** Segment names the lists have named, in order. */
  listed: string[];
  close(): Promise<void>;
}

const EMPTY_CONTAINER = '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0">\n</MediaContainer>\n';

/** Starts the stand-in on 127.0.0.1, port 0. */
export async function startCallbackServer(): Promise<CallbackServer> {
  const state: CallbackServer = {
    url: '',
    counts: { progress: 0, segmentList: 0, other: 0 },
    firstSegmentListedAt: null,
    listed: [],
    close: () => close(),
  };
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      record(state, req.url ?? '/', body);
      res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(EMPTY_CONTAINER);
    }, () => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

function record(state: CallbackServer, url: string, body: string): void {
  const path = url.split('?')[0] ?? '';
  if (/\/progress(\/|$)/.test(path)) state.counts.progress += 1;
  else if (path.endsWith('/manifest')) {
    state.counts.segmentList += 1;
    for (const line of body.split('\n')) {
      const name = line.split(',')[0]?.trim() ?? '';
      if (name === '' || state.listed.includes(name)) continue;
      state.listed.push(name);
      state.firstSegmentListedAt ??= Date.now();
    }
  } else state.counts.other += 1;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
