import { readFileSync } from 'node:fs';
import t from 'tap';
import { ERROR_CODES, PlexBeamError, describeValue, isPlexBeamError } from '../../core/errors.ts';

t.test('usage-type codes exit 2, runtime codes exit 1', async (t) => {
  t.equal(new PlexBeamError('CONFIG_INVALID', 'x').exitCode, 2);
  t.equal(new PlexBeamError('USAGE', 'x').exitCode, 2);
  t.equal(new PlexBeamError('IO', 'x').exitCode, 1);
  t.equal(new PlexBeamError('IO', 'x', { exitCode: 7 }).exitCode, 7);
  t.ok(isPlexBeamError(new PlexBeamError('IO', 'x'), 'IO'));
  t.notOk(isPlexBeamError(new Error('x')));
});

t.test('describeValue shows value and type', async (t) => {
  t.equal(describeValue('abc'), '`"abc"` (string)');
  t.equal(describeValue(5), '`5` (number)');
  t.equal(describeValue(null), '`null` (null)');
  t.equal(describeValue([1]), '`[1]` (array)');
});

t.test('every error code is documented in docs/ERRORS.md', async (t) => {
  const doc = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
  for (const code of ERROR_CODES) t.match(doc, `\`${code}\``, `${code} documented`);
});
