/**
 * A stand-in for the cartridge's side of a job's link: it reads `GET /jobs/:id/link`, replays
 * each captured callback to a (fake) Plex in `seq` order with the same method, path, query and
 * body (adding X-Plex-Token, as the cartridge does), and posts Plex's answer back as the reply.
 */
import { API_KEY, openLink, type LinkReader } from './helpers.ts';

/** One callback as it was replayed to Plex. */
export interface Replayed {
  seq: number;
  method: string;
  path: string;
  query: string;
  status: number;
}

/** The link being relayed. */
export interface CartridgeRelay {
  link: LinkReader;
  /** Replayed callbacks, in the order Plex got them. */
  replayed: Replayed[];
  /** Resolves once the link has ended and every callback has been replayed and answered. */
  done: Promise<void>;
}

interface Pending {
  message: Record<string, any>;
  body: Buffer[];
  complete: boolean;
}

/** Opens the job's link and relays its callbacks to `plexUrl` (`http://127.0.0.1:<port>`). */
export function relayJob(workerBase: string, jobId: string, plexUrl: string): CartridgeRelay {
  const pending = new Map<number, Pending>();
  const replayed: Replayed[] = [];
  let next = 1;
  let chain = Promise.resolve();
  // Replays strictly in seq order: a complete request waits for the ones numbered before it.
  const drain = () => {
    for (let p = pending.get(next); p?.complete; p = pending.get(next)) {
      const entry = p;
      pending.delete(next);
      next += 1;
      chain = chain.then(() => replay(entry));
    }
  };
  const replay = async ({ message: m, body }: Pending) => {
    const headers: Record<string, string> = { 'x-plex-token': 'cartridge-token' };
    if (m.headers['content-type'] !== undefined) headers['content-type'] = m.headers['content-type'];
    const data = Buffer.concat(body);
    const res = await fetch(`${plexUrl}${m.path}${m.query === '' ? '' : `?${m.query}`}`, {
      method: m.method, headers, ...(m.method === 'GET' || m.method === 'HEAD' ? {} : { body: data }),
    });
    const answer = Buffer.from(await res.arrayBuffer());
    replayed.push({ seq: m.seq, method: m.method, path: m.path, query: m.query, status: res.status });
    await fetch(`${workerBase}/jobs/${jobId}/callback-replies`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ seq: m.seq, status: res.status, content_type: res.headers.get('content-type') ?? undefined, body_b64: answer.toString('base64') }),
    });
  };
  const link = openLink(workerBase, jobId, {
    autoReply: false,
    onMessage: (m) => {
      if (m.type === 'callback') pending.set(m.seq, { message: m, body: [], complete: m.end === true });
      else if (m.type === 'callback_data') {
        const p = pending.get(m.seq);
        if (p === undefined) return;
        p.body.push(Buffer.from(m.body_b64, 'base64'));
        p.complete = m.end === true;
      } else return;
      drain();
    },
  });
  return { link, replayed, done: link.ended.then(() => chain) };
}
