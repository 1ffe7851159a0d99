/**
 * A TCP proxy between plexbeam-server and a worker that breaks one library transfer on purpose:
 * a connection that carries an upload (`PUT /library/jobs/…/input`) or a download (`GET
 * /library/jobs/…/output`) is cut (both sockets destroyed) or held (no byte forwarded any more)
 * once that many bytes of its body went the transfer's way. Every other request passes.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface LinkFault {
  transfer: 'upload' | 'download';
  afterBytes: number;
  action: 'cut' | 'hold';
}

export interface LinkProxy {
  url: string;
  /** Transfers broken so far. */
  readonly broken: number;
  /** Breaks the next transfer of that kind (once). */
  arm(fault: LinkFault): void;
  /** New connections go to `target` from now on (a worker started again on another port). */
  retarget(target: string): void;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 in front of `target` (`http://127.0.0.1:PORT`). */
export async function startLinkProxy(target: string): Promise<LinkProxy> {
  let to = new URL(target);
  let armed: LinkFault | null = null;
  let broken = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(to.port), to.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let kind: LinkFault['transfer'] | null = null;
    let counted = 0;
    let held = false;
    const destroy = () => {
      client.destroy();
      upstream.destroy();
    };
    /** Forwards `chunk` to `to`, unless this connection's transfer is to break: then the bytes up to the limit, and the break. */
    const pass = (direction: LinkFault['transfer'], chunk: Buffer, to: Socket) => {
      if (held) return;
      if (armed === null || kind !== armed.transfer || kind !== direction || counted + chunk.length < armed.afterBytes) {
        if (armed !== null && kind === armed.transfer && kind === direction) counted += chunk.length;
        to.write(chunk);
        return;
      }
      const part = chunk.subarray(0, armed.afterBytes - counted);
      broken += 1;
      const action = armed.action;
      armed = null;
      held = true;
      // The bytes before the break do arrive: a transfer broken in the middle of its body.
      to.write(part, () => {
        if (action === 'cut') setTimeout(destroy, 50);
      });
    };
    client.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 200).toString('latin1');
      if (/^PUT \/library\/jobs\/[^/]+\/input/.test(head)) kind = 'upload';
      else if (/^GET \/library\/jobs\/[^/]+\/output/.test(head)) kind = 'download';
      else if (/^[A-Z]+ \//.test(head)) kind = null;
      pass('upload', chunk, upstream);
    });
    upstream.on('data', (chunk: Buffer) => pass('download', chunk, client));
    for (const socket of [client, upstream]) {
      socket.on('error', destroy);
      socket.on('close', () => {
        sockets.delete(socket);
        destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get broken() {
      return broken;
    },
    arm(fault) {
      armed = fault;
    },
    retarget(target) {
      to = new URL(target);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
