/**
 * A TCP receiver for the throughput test, run inside the clients' namespace:
 * `node tcp-sink.ts PORT ADDR...` listens on each address, prints `{"ready":true}`, then every
 * 250 ms `{"bytes":{ADDR:N,...}}` with the bytes received on each so far.
 */
import { createServer } from 'node:net';

const [port, ...addresses] = process.argv.slice(2) as [string, ...string[]];
const bytes: Record<string, number> = Object.fromEntries(addresses.map((a) => [a, 0]));
let listening = 0;
for (const address of addresses) {
  const server = createServer((socket) => socket.on('data', (chunk) => (bytes[address] = (bytes[address] ?? 0) + chunk.length)).on('error', () => {}));
  server.listen(Number(port), address, () => {
    if (++listening === addresses.length) process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  });
}
setInterval(() => process.stdout.write(`${JSON.stringify({ bytes })}\n`), 250);
process.on('SIGTERM', () => process.exit(0));
