/**
 * The processes of row 12d, each started inside one of its two network namespaces:
 *   remux URL KEY INPUT DIR    one stream-mode remux of INPUT by the worker at URL (the Plex side), prints {"ms"}
 *   sink HOST PORT             a TCP server that reads and drops what comes, and sends back as many bytes as the first 8 ask
 *   copy HOST PORT BYTES       sends BYTES to the sink while it receives BYTES back (the link both ways at once), prints {"ms"}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { streamedRemux } from './streamed-remux.ts';

const CHUNK = Buffer.alloc(1 << 20, 0x5a);

/** Writes `bytes` bytes to `socket` with back-pressure, then ends it (`end` false: keeps it open). */
function pump(socket: Socket, bytes: number, end: boolean): Promise<void> {
  return new Promise((resolve) => {
    let left = bytes;
    const more = () => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!socket.write(CHUNK.subarray(0, n))) return void socket.once('drain', more);
      }
      if (end) socket.end();
      resolve();
    };
    more();
  });
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  if (mode === 'remux') {
    const [url, apiKey, input, dir] = rest as [string, string, string, string];
    const cwd = mkdtempSync(join(dir, 'lan-'));
    try {
      const ms = await streamedRemux(url, apiKey, ['-i', input, '-map', '0', '-c', 'copy', '-f', 'matroska', join(cwd, 'out.mkv')], cwd);
      process.stdout.write(`${JSON.stringify({ ms })}\n`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    return;
  }
  if (mode === 'sink') {
    const [host, port] = rest as [string, string];
    const server = createServer((socket) => {
      let head = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        if (head.length >= 8) return;
        head = Buffer.concat([head, chunk]).subarray(0, 8);
        if (head.length === 8) void pump(socket, Number(head.readBigUInt64BE(0)), false);
      });
      socket.on('end', () => socket.end());
    });
    server.listen(Number(port), host, () => process.stdout.write('listening\n'));
    return;
  }
  if (mode === 'copy') {
    const [host, port, bytes] = rest as [string, string, string];
    const size = Number(bytes);
    const began = performance.now();
    const socket = connect(Number(port), host);
    let got = 0;
    const received = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= size) resolve();
      });
      socket.on('error', reject);
      socket.on('close', () => (got >= size ? resolve() : reject(new Error(`got ${got} of ${size} bytes back`))));
    });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const head = Buffer.alloc(8);
    head.writeBigUInt64BE(BigInt(size), 0);
    socket.write(head);
    await Promise.all([pump(socket, size, false), received]);
    process.stdout.write(`${JSON.stringify({ ms: performance.now() - began })}\n`);
    socket.destroy();
    return;
  }
  throw new Error(`unknown mode ${mode ?? ''}`);
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`lan-side: ${error.message}\n`);
  process.exit(1);
});
