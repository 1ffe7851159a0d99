import { lookup } from 'node:dns/promises';
import t from 'tap';
import { isLoopbackHost, isLoopbackUrl, parseIpv4, parseIpv6 } from '../../core/loopback.ts';

const LOOPBACK = ['localhost', 'LOCALHOST', 'localhost.', 'plex.localhost', '127.0.0.1', '127.8.9.10', '127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433', '0.0.0.0', '0',
  '[::1]', '::1', '[0:0:0:0:0:0:0:1]', '[::]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:0.0.0.0]', '[::127.0.0.1]', '[::1%lo]'];
const REMOTE = ['10.0.1.99', '192.168.1.2', '128.0.0.1', '126.255.255.255', '127.0.0.1.evil.example', 'localhost.example.com', 'plex', 'evil-localhost',
  '[::2]', '[fe80::1]', '[::ffff:10.0.0.1]', '[1::1]', '[2001:db8::127.0.0.1]', '256.0.0.1', '1.2.3.4.5', '', '[::ffff:127.0.0.1:1]'];

t.test('hosts that reach this machine, however written', async (t) => {
  for (const host of LOOPBACK) t.ok(isLoopbackHost(host), host);
  for (const host of REMOTE) t.notOk(isLoopbackHost(host), host);
});

t.test('numeric IPv4 forms are read as the resolver reads them', async (t) => {
  // getaddrinfo (what ffmpeg and Node connect through) is the reference for each spelling.
  for (const host of ['127.1', '0x7f.0.0.1', '0177.0.0.1', '2130706433', '0', '10.1', '0xa000001', '192.168.1.2', '127.0.0.1']) {
    const { address } = await lookup(host, { family: 4 });
    t.equal(parseIpv4(host), address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0), `${host} = ${address}`);
    t.equal(isLoopbackHost(host), address.startsWith('127.') || address === '0.0.0.0', `${host} (${address})`);
  }
  t.equal(parseIpv4('1.2.3.256'), null);
  t.equal(parseIpv4('1.2.65536'), null);
  t.equal(parseIpv4('08.0.0.1'), null, 'not octal, not decimal');
});

t.test('IPv6 groups', async (t) => {
  t.strictSame(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  t.strictSame(parseIpv6('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  t.strictSame(parseIpv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  t.equal(parseIpv6('1::2::3'), null);
  t.equal(parseIpv6('1:2:3'), null);
  t.equal(parseIpv6('12345::'), null);
});

t.test('loopback http(s) URLs are Plex calling home', async (t) => {
  for (const url of ['http://127.0.0.1:32400/x', 'http://localhost/x', 'https://localhost:32443/x', 'http://[::1]:32400/x', 'http://127.8.9.10/', 'http://user@127.0.0.1/x', 'HTTP://0.0.0.0:32400/x']) {
    t.ok(isLoopbackUrl(url), url);
  }
  for (const url of ['http://10.0.1.99:32400/x', 'http://127.0.0.1.evil.example/x', 'http://[::2]/x', 'udp://127.0.0.1:1234', 'http://plex:32400/', '/127.0.0.1/x', 'http://evil.example/?u=http://127.0.0.1/']) {
    t.notOk(isLoopbackUrl(url), url);
  }
});
