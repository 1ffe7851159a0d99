/**
 * Pinned TLS connections to workers, kept open between one play's requests (its health check,
 * `/paths/stat`, the dispatch): each new one costs a secure context and a handshake, 3-5 ms of
 * the play's start. Every connection here came from connectPinned, so its certificate matched the
 * pin before anything was sent on it; a connection is only ever reused by the process that opened it.
 */
import type { TLSSocket } from 'node:tls';

/** Idle (or still opening) connections per origin, oldest first. */
const idle = new Map<string, Promise<TLSSocket | null>[]>();
/** One per connection being opened: resolved once its TLS hello is out (or it failed, or HELLO_WAIT_MS passed). */
const opening = new Set<Promise<void>>();

/**
 * How long after a connection's start its hello may hold up the caller of helloSent: on loopback
 * or a LAN the TCP connection is up well within it; a far worker's round trip does not hold up the parse.
 */
const HELLO_WAIT_MS = 3;
/**
 * An idle connection older than this is closed, not reused: far below any server's keep-alive
 * timeout (Node's default 5 s), so a request is never written as the worker closes it. The
 * requests of a play's start follow each other within milliseconds; later ones open their own.
 */
const MAX_IDLE_MS = 1000;
/** When each idle connection was parked. */
const parkedAt = new WeakMap<TLSSocket, number>();

const ignore = () => undefined;

/** Opens a pinned connection to `url`'s origin now, for the next request there to take (the dispatch after a health from the fleet cache). */
export function warmPinned(url: URL, pin: string, signal?: AbortSignal): void {
  const opening = connect(url, pin, signal).then((socket) => park(socket), () => null);
  queue(url.origin).push(opening);
}

/** A pinned connection to `url`'s origin: an idle one still open, else a new one. */
export async function takePinned(url: URL, pin: string, signal?: AbortSignal): Promise<TLSSocket> {
  const waiting = idle.get(url.origin) ?? [];
  for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) {
    const socket = await (signal === undefined ? next : Promise.race([next, aborted(signal)]));
    if (socket !== null && Date.now() - (parkedAt.get(socket) ?? 0) > MAX_IDLE_MS) socket.destroy();
    else if (socket !== null && !socket.destroyed && socket.writable && !socket.readableEnded) {
      socket.removeListener('error', ignore);
      socket.ref();
      return socket;
    }
  }
  return connect(url, pin, signal);
}

/** Resolves once every pinned connection being opened has sent its TLS hello (at once when none is). */
export function helloSent(): Promise<void> | null {
  return opening.size === 0 ? null : Promise.all(opening).then(() => undefined);
}

/** Gives back a connection whose answer was read whole, for the next request to `url`'s origin. */
export function keepPinned(url: URL, socket: TLSSocket): void {
  queue(url.origin).push(Promise.resolve(park(socket)));
}

/** An idle connection neither keeps the process alive nor crashes it when the worker closes it. */
function park(socket: TLSSocket): TLSSocket {
  socket.on('error', ignore);
  socket.unref();
  parkedAt.set(socket, Date.now());
  return socket;
}

/** Rejects with the reason once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function queue(origin: string): Promise<TLSSocket | null>[] {
  let list = idle.get(origin);
  if (list === undefined) idle.set(origin, (list = []));
  return list;
}

// core/tls-pin.ts (and node:tls) load only here, off the start-up path of plain-http workers.
function connect(url: URL, pin: string, signal?: AbortSignal): Promise<TLSSocket> {
  let sent = () => undefined as void;
  const hello = new Promise<void>((resolve) => (sent = resolve));
  opening.add(hello);
  void hello.then(() => opening.delete(hello));
  const socket = import('../core/tls-pin.ts').then(({ connectPinned }) => {
    const connecting = connectPinned(url, pin, signal, sent);
    setTimeout(sent, HELLO_WAIT_MS).unref();
    return connecting;
  });
  socket.then(sent, sent);
  return socket;
}
