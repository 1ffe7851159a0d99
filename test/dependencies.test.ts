// Every dependency earns its place: runtime ones are imported by runtime code, and each one has
// its line in docs/DEVELOPING.md saying why it is there.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { importsOf } from './architecture/start-up-path.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const developing = readFileSync(join(root, 'docs', 'DEVELOPING.md'), 'utf8');
const section = developing.slice(developing.indexOf('## Dependencies'));
/** What ships and runs: every part and core (not tests, benchmarks or scripts). */
const RUNTIME_DIRS = ['cli', 'core', 'cartridge', 'worker', 'watchdog', 'analyze'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Package name of an import specifier (`pino-roll`, `@scope/x`), or null for relative/built-in. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const used = new Set<string>();
for (const dir of RUNTIME_DIRS) {
  for (const file of sourceFiles(dir)) {
    for (const { specifier } of importsOf(file, readFileSync(join(root, file), 'utf8'))) {
      const name = specifier === null ? null : packageOf(specifier);
      if (name !== null) used.add(name);
    }
  }
}

t.test('every runtime dependency is imported by runtime code', async (t) => {
  for (const name of Object.keys(pkg.dependencies)) t.ok(used.has(name), `${name} is imported under ${RUNTIME_DIRS.join('/, ')}/`);
});

t.test('runtime code imports only declared runtime dependencies', async (t) => {
  for (const name of used) t.ok(name in pkg.dependencies, `${name} is in dependencies`);
});

t.test('every dependency has its line in docs/DEVELOPING.md', async (t) => {
  t.ok(section.length > 0, 'DEVELOPING.md has a Dependencies section');
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
    t.ok(section.includes(`\`${name}\``), `${name} is explained`);
  }
});
