// "Loopback" is one decision (core/loopback.ts): the argv parser (callback or remote URL), the
// cartridge (where it may replay), analyze (an input a worker cannot reach) and the worker's
// sandbox (inputs it refuses) agree on every spelling. Before, they were four regexes that
// disagreed on 0.0.0.0, 127.1, [::] and friends.
import t from 'tap';
import { createInputCheck } from '../../core/feasibility/input-reach.ts';
import { callbackOrigins } from '../../cartridge/callback-origins.ts';
import { isLoopbackUrl } from '../../core/loopback.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { isLoopbackHost as sandboxIsLoopbackHost, splitHttpUrl } from '../../worker/sandbox/urls.ts';

const URLS = [
  'http://127.0.0.1:32400/p', 'http://localhost:32400/p', 'http://[::1]:32400/p', 'http://0.0.0.0:32400/p', 'http://127.1:32400/p',
  'http://2130706433:32400/p', 'http://[::]:32400/p', 'http://[::ffff:127.0.0.1]:32400/p', 'https://plex.localhost:32443/p', 'HTTP://LOCALHOST/p',
  'http://10.0.1.99:32400/p', 'http://plex.example:32400/p', 'http://127.0.0.1.nip.example/p', 'http://[fe80::1]/p', 'http://128.0.0.1/p',
];

t.test('every part decides loopback the same way', async (t) => {
  const inputs = createInputCheck({ mediaRoots: ['/media'], transcodeRoots: ['/tx'], pathMap: [] });
  for (const url of URLS) {
    const loopback = isLoopbackUrl(url);
    const parsed = parsePlexArgv(['-i', '/media/a.mkv', '-progressurl', url, '-f', 'segment', 'out%d.ts']);
    t.equal(parsed.callbackUrls.some((c) => c.url === url), loopback, `argv parser: ${url} ${loopback ? 'is' : 'is not'} a callback`);
    t.equal(callbackOrigins([url]).size > 0, loopback, `cartridge: ${url} ${loopback ? 'may' : 'may not'} be replayed to`);
    t.equal(inputs.classify(url) === 'loopback-url', loopback, `analyze: ${url}`);
    const parts = splitHttpUrl(url);
    t.equal(parts !== null && sandboxIsLoopbackHost(parts.host), loopback, `worker sandbox: ${url}`);
  }
  t.ok(URLS.filter(isLoopbackUrl).length >= 10, 'most of the list is loopback');
});
