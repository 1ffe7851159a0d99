import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('..', import.meta.url));
const PARTS = ['cartridge', 'worker', 'watchdog', 'analyze'];

function sourceFiles(dir: string): string[] {
  let files: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) files = files.concat(sourceFiles(path));
    else if (name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** Static (`import … from`, `export … from`) and dynamic (`import('…')`) specifiers of a file. */
function importsOf(file: string): { static: string[]; dynamic: string[] } {
  const text = readFileSync(join(root, file), 'utf8');
  const staticRe = /^\s*(?:import|export)\s(?:type\s)?[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;
  const dynamicRe = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  const isTypeOnly = (match: string) => /^\s*(?:import|export)\s+type\s/.test(match);
  const statics = [...text.matchAll(staticRe)].filter((m) => !isTypeOnly(m[0])).map((m) => (m[1] ?? m[2]) as string);
  return { static: statics, dynamic: [...text.matchAll(dynamicRe)].map((m) => m[1] as string) };
}

/** The top folder a relative specifier lands in, e.g. `worker`. */
function topFolder(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return relative(root, resolve(root, dirname(file), specifier)).split('/')[0] ?? null;
}

t.test('core/ imports no part folder', async (t) => {
  const files = sourceFiles('core');
  t.ok(files.length > 0);
  for (const file of files) {
    const { static: s, dynamic: d } = importsOf(file);
    for (const spec of [...s, ...d]) {
      const top = topFolder(file, spec);
      t.notOk(top !== null && PARTS.includes(top), `${file} imports ${spec}`);
    }
  }
});

t.test('parts never import each other', async (t) => {
  for (const part of PARTS) {
    for (const file of sourceFiles(part)) {
      const { static: s, dynamic: d } = importsOf(file);
      for (const spec of [...s, ...d]) {
        const top = topFolder(file, spec);
        t.notOk(top !== null && PARTS.includes(top) && top !== part, `${file} imports ${spec}`);
      }
    }
  }
});

// The cartridge starts on every play and every seek: its static import graph must stay on
// node: built-ins and light core modules (no npm packages; SQLite and fallback load lazily).
t.test('the cartridge statically imports only node: built-ins and light modules', async (t) => {
  const seen = new Set<string>();
  const queue = sourceFiles('cartridge').filter((f) => f.endsWith('main.ts'));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file).static) {
      if (spec.startsWith('node:')) continue;
      t.ok(spec.startsWith('.'), `${file}: static import of package ${spec} is not allowed on the start-up path`);
      if (!spec.startsWith('.')) continue;
      const target = relative(root, resolve(root, dirname(file), spec));
      t.notOk(/^core\/(session-log|log)\b/.test(target), `${file}: ${spec} is heavy; import it lazily`);
      queue.push(target);
    }
  }
  t.pass(`checked ${seen.size} cartridge start-up files`);
});
