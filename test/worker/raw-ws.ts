/** A WebSocket client on a raw TCP socket, for sending frames no WebSocket library would: oversized, unmasked, reserved bits. */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWs {
  socket: Socket;
  /** Bytes received after the handshake. */
  received(): Buffer;
  /** Resolves when the worker closes the connection. */
  closed: Promise<void>;
  /** The close code of the first close frame the worker sent, or null. */
  closeCode(): number | null;
}

/** Opens `path` on 127.0.0.1:`port` with a hand-written upgrade; resolves once the worker answered 101. */
export function openRawWs(port: number, path: string, headers: Record<string, string> = {}): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (upgraded) return;
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffer.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head}`));
      upgraded = true;
      buffer = buffer.subarray(end + 4);
      resolve({
        socket,
        closed,
        received: () => buffer,
        closeCode: () => closeCodeOf(buffer),
      });
    });
    socket.on('connect', () => {
      const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    });
    socket.on('close', () => upgraded || reject(new Error('closed before the upgrade')));
  });
}

/** A client text frame (masked, as clients must) whose payload is `size` bytes. */
export function maskedTextFrame(size: number): Buffer {
  const header = size < 126 ? Buffer.from([0x81, 0x80 | size]) : size < 65_536 ? Buffer.from([0x81, 0x80 | 126, size >> 8, size & 0xff]) : (() => {
    const b = Buffer.alloc(10);
    b[0] = 0x81;
    b[1] = 0x80 | 127;
    b.writeBigUInt64BE(BigInt(size), 2);
    return b;
  })();
  const mask = randomBytes(4);
  const payload = Buffer.alloc(size, 0x61).map((byte, i) => byte ^ (mask[i % 4] as number));
  return Buffer.concat([header, mask, payload]);
}

/** Walks the server's frames and returns the code of the first close frame (opcode 8). */
function closeCodeOf(data: Buffer): number | null {
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = data.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(data.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 8) return length >= 2 && start + 2 <= data.length ? data.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}
