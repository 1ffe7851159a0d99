/**
 * A TCP pass-through in front of a worker that notes when each `callback` message of a job's link
 * passes on its way to the cartridge. The worker sends that message as it captures the request
 * (same tick), so this is the capture time plus one loopback hop; the tap adds nothing else.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** A callback the worker announced on a link, and when (Date.now(), as the fake PMS records). */
export interface TappedCallback {
  seq: number;
  method: string;
  path: string;
  query: string;
  at: number;
}

export interface LinkTap {
  /** Give this to the cartridge in place of the worker's URL. */
  url: string;
  callbacks: TappedCallback[];
  close(): Promise<void>;
}

/** Starts the tap on 127.0.0.1 (port 0), forwarding every connection to `workerUrl`. */
export async function startLinkTap(workerUrl: string): Promise<LinkTap> {
  const target = new URL(workerUrl);
  const callbacks: TappedCallback[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
    }
    const decoder = new StringDecoder('utf8');
    let pending = '';
    // Listening before piping: the time is taken before the bytes are passed on.
    upstream.on('data', (chunk: Buffer) => {
      const at = Date.now();
      pending += decoder.write(chunk);
      // Link lines are JSON objects, one per line; chunked-encoding framing falls between them.
      for (;;) {
        const start = pending.indexOf('{"type":"callback",');
        if (start === -1) {
          pending = pending.slice(-32);
          break;
        }
        const end = pending.indexOf('\n', start);
        if (end === -1) {
          pending = pending.slice(start);
          break;
        }
        const message = JSON.parse(pending.slice(start, end)) as Omit<TappedCallback, 'at'>;
        callbacks.push({ seq: message.seq, method: message.method, path: message.path, query: message.query, at });
        pending = pending.slice(end + 1);
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    callbacks,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
