/**
 * Pinned TLS connections to workers, kept open between one play's requests (its health check,
 * `/paths/stat`, the dispatch): each new one costs a secure context and a handshake, 3-5 ms of
 * the play's start. Every connection here came from connectPinned, so its certificate matched the
 * pin before anything was sent on it; a connection is only ever reused by the process that opened it.
 */
import type { TLSSocket } from 'node:tls';

/** Idle (or still opening) connections per origin, oldest first. */
const idle = new Map<string, Promise<TLSSocket | null>[]>();

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
    if (socket !== null && !socket.destroyed && socket.writable && !socket.readableEnded) {
      socket.removeListener('error', ignore);
      socket.ref();
      return socket;
    }
  }
  return connect(url, pin, signal);
}

/** Gives back a connection whose answer was read whole, for the next request to `url`'s origin. */
export function keepPinned(url: URL, socket: TLSSocket): void {
  queue(url.origin).push(Promise.resolve(park(socket)));
}

/** An idle connection neither keeps the process alive nor crashes it when the worker closes it. */
function park(socket: TLSSocket): TLSSocket {
  socket.on('error', ignore);
  socket.unref();
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
  return import('../core/tls-pin.ts').then(({ connectPinned }) => connectPinned(url, pin, signal));
}
