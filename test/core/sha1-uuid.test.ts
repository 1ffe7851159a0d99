// The cartridge's crypto-free helpers agree with node:crypto: the same SHA-1 digests (pattern ids
// in the session log must not change) and well-formed, distinct v4 UUIDs.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { randomUuid } from '../../core/random-uuid.ts';
import { sha1Hex } from '../../core/sha1.ts';
import { argvPattern, patternIdOf } from '../../core/plex-argv/index.ts';

t.test('sha1Hex is node:crypto\'s SHA-1 for every length around the block boundaries, and UTF-8', async (t) => {
  const inputs = ['', 'abc', 'é ü 字 🎬', ...Array.from({ length: 140 }, (_, n) => randomBytes(n).toString('latin1')), 'x'.repeat(100_000)];
  for (const text of inputs) t.equal(sha1Hex(text), createHash('sha1').update(text).digest('hex'), `length ${text.length}`);
});

t.test('a pattern id is the first 12 hex characters of the pattern\'s SHA-1', async (t) => {
  const pattern = argvPattern(['-i', '/media/in.mkv', '-c:v', 'libx264', '-f', 'segment', 'media-%05d.ts']);
  t.equal(patternIdOf(pattern), createHash('sha1').update(pattern).digest('hex').slice(0, 12));
});

t.test('randomUuid gives distinct v4 UUIDs, and node:crypto\'s where /dev/urandom cannot be read', async (t) => {
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const ids = new Set(Array.from({ length: 200 }, () => randomUuid()));
  t.equal(ids.size, 200);
  for (const id of ids) t.match(id, v4);
  t.match(randomUuid(join(t.testdir(), 'no-such-device')), v4, 'missing source');
  const short = join(t.testdir(), 'short');
  writeFileSync(short, 'abc');
  t.match(randomUuid(short), v4, 'a source shorter than 16 bytes');
});
