import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { applyPathMap, findRoot, isWithin, resolveReal } from '../../core/paths.ts';

t.test('pathMap rewrites whole path segments, the most specific entry first', async (t) => {
  const map = [{ from: '/media', to: '/mnt/media' }, { from: '/media/tv/', to: '/srv/tv' }, { from: '/', to: '/root-of-all' }];
  t.equal(applyPathMap('/media/film.mkv', map), '/mnt/media/film.mkv');
  t.equal(applyPathMap('/media', map), '/mnt/media');
  t.equal(applyPathMap('/media/tv/show.mkv', map), '/srv/tv/show.mkv');
  t.equal(applyPathMap('/mediaX/film.mkv', map), '/root-of-all/mediaX/film.mkv', 'a prefix that is not a whole segment does not match');
  t.equal(applyPathMap('/mediaX/film.mkv', map.slice(0, 2)), '/mediaX/film.mkv', 'no entry: unchanged');
});

t.test('containment is by whole segments', async (t) => {
  t.ok(isWithin('/a/b', '/a'));
  t.ok(isWithin('/a', '/a'));
  t.notOk(isWithin('/ab', '/a'));
  t.notOk(isWithin('/', '/a'));
  t.equal(findRoot('/t/x', ['/m', '/t']), '/t');
});

t.test('resolveReal follows symlinks the way the kernel does, also for paths that do not exist yet', async (t) => {
  const dir = realpathSync(t.testdir({ root: { sub: {} }, elsewhere: { deep: {} } }));
  symlinkSync(join(dir, 'elsewhere', 'deep'), join(dir, 'root', 'link'));
  t.equal(resolveReal(join(dir, 'root', 'link', 'new', 'file.ts')), join(dir, 'elsewhere', 'deep', 'new', 'file.ts'));
  t.equal(resolveReal(`${dir}/root/link/../x`), join(dir, 'elsewhere', 'x'), '`link/..` is the parent of the target');
  t.equal(resolveReal(`${dir}/root/sub/../../root/./sub/`), join(dir, 'root', 'sub'));
  mkdirSync(join(dir, 'root', 'sub', 'made'));
  t.equal(resolveReal(join(dir, 'root', 'sub', 'made')), join(dir, 'root', 'sub', 'made'));
  t.throws(() => resolveReal('relative/path'));
});
