/**
 * The sender for the throughput test, run inside the server's namespace:
 * `node tcp-source.ts PORT SECONDS ADDR...` connects to each address and writes as fast as TCP
 * lets it for SECONDS, then exits.
 */
import { connect } from 'node:net';

const [port, seconds, ...addresses] = process.argv.slice(2) as [string, string, ...string[]];
const chunk = Buffer.alloc(64 * 1024, 0x61);
for (const address of addresses) {
  const socket = connect(Number(port), address);
  const pump = () => {
    while (socket.write(chunk));
  };
  socket.on('connect', pump).on('drain', pump).on('error', () => {});
}
setTimeout(() => process.exit(0), Number(seconds) * 1000);
