/**
 * install.sh under a real systemd: boots a Debian container with systemd as PID 1
 * (scripts/systemd-box.sh), installs a snapshot of this checkout with `install.sh --role both`
 * against a stand-in Plex, and runs test/install/in-box.sh there, whose TAP becomes this
 * test's. Slow (a boot, two installs, restarts; the first run also builds the cached Debian
 * root, a few minutes): it runs with `npm run test:systemd` (PLEXBEAM_TEST_SYSTEMD=1), as root.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Why this test cannot run here, or null. */
function reasonToSkip(): string | null {
  if (process.env.PLEXBEAM_TEST_SYSTEMD !== '1') return 'the real-systemd test runs with `npm run test:systemd`';
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn)';
  if (!existsSync(join(root, '.runtime/node/bin/node'))) {
    return 'the checkout has no .runtime/node (setup.sh used the system Node.js), and the container has no Node.js';
  }
  if (!existsSync(join(root, 'dist/cli/main.js'))) return 'not built: run ./setup.sh (or npm run build)';
  return null;
}

/** Hard-links a tree (node_modules, the runtime: large and not changing under us). */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else linkSync(source, target);
  }
}

/**
 * A snapshot of the checkout as setup.sh leaves it, so that a rebuild by someone else during
 * the run cannot make the second install differ from the first.
 */
function snapshotCheckout(into: string): void {
  for (const item of ['bin', 'dist', 'scripts', 'systemd', 'docs', 'test/install', 'package.json', 'package-lock.json', 'README.md', 'install.sh', 'setup.sh']) {
    if (existsSync(join(root, item))) cpSync(join(root, item), join(into, item), { recursive: true, verbatimSymlinks: true });
  }
  linkTree(join(root, 'node_modules'), join(into, 'node_modules'));
  mkdirSync(join(into, '.runtime/node/bin'), { recursive: true });
  linkSync(join(root, '.runtime/node/bin/node'), join(into, '.runtime/node/bin/node'));
}

const skip = reasonToSkip();
if (skip !== null) {
  t.plan(0, skip);
} else {
  // In the checkout (same file system, so hard links work), not under /tmp.
  const snapshot = t.testdir({});
  snapshotCheckout(snapshot);
  t.ok(statSync(join(snapshot, 'install.sh')).mode & 0o100, 'the snapshot keeps install.sh executable');
  const box = join(root, 'scripts/systemd-box.sh');
  t.spawn(
    box,
    ['-b', snapshot, '-j', 'bash /src/test/install/in-box.sh'],
    { env: { ...process.env, BOX_PACKAGES: 'ffmpeg,bubblewrap,openssl' }, timeout: 900_000, cwd: dirname(box) },
    'install.sh --role both under systemd (in-box.sh)',
  );
  t.test('the box cleaned up after itself', async (t) => {
    const result = spawnSync('sh', ['-c', 'ls /var/tmp/plexbeam-systemd-box/runs 2>/dev/null | wc -l'], { encoding: 'utf8' });
    t.equal(result.stdout.trim(), '0', 'no run folder left behind');
  });
}
