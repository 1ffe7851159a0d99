/**
 * Bundles the cartridge's code into single files in dist/cartridge/: `run.js` (in place of tsc's:
 * everything up to the dispatch and the relay) and `session-log.js` (core/session-log, loaded
 * once the work is under way). Every Plex play and seek starts a Node process, and loading ~40
 * small ES modules (resolve, read package.json scopes, compile, link each) costs more than the
 * code itself. Each module is transpiled to CommonJS by TypeScript and wrapped in a function;
 * built-ins come from `process.getBuiltinModule` (no ESM namespace, see core/builtins.ts),
 * packages (better-sqlite3) from `require`. A relative `import()` stays a real import: of the
 * session log, `session-log.js`; of any other module, a chunk file (`chunk.<name>.js`, e.g. stream
 * mode and TLS pinning) holding that module and what it requires that run.js lacks, defined into
 * run.js's own module table when first imported (so a module shared with run.js, and its state,
 * exists once). What a job does not use is never read: the common path stays small.
 * Run after `tsc` (npm run build does): `scripts/with-node node scripts/bundle-cartridge.ts`.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT_DIR = join(root, 'dist', 'cartridge');
/** Entry module → bundle file, and what each dynamic import of another entry becomes. */
const BUNDLES = [
  { entry: 'cartridge/run.ts', file: 'run.js', exports: ['runCartridge', 'stopFate'] },
  { entry: 'core/session-log/index.ts', file: 'session-log.js', exports: ['openSessionLog'] },
];
const SEPARATE: Record<string, string> = { 'core/session-log/index.ts': './session-log.js' };

/** The chunk file that holds lazily imported module `id`: `chunk.stream-side.js` for cartridge/stream/side.ts, `chunk.core-tls-pin.js` for core/tls-pin.ts. */
function chunkFile(id: string): string {
  return `chunk.${id.replace(/^cartridge\//, '').replace(/\.ts$/, '').replaceAll('/', '-')}.js`;
}

/** A relative specifier from `file` as a module id (`core/x.ts`). */
function idOf(file: string, spec: string): string {
  return relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts');
}

/** Module ids that `import()` loads lazily, found while transpiling (each becomes a chunk). */
const lazyEntries = new Set<string>();

/** Transpiles `file` (relative to the root) to CommonJS; a relative `import()` becomes a bundle's or a chunk's. */
function transpile(file: string): string {
  const source = readFileSync(join(root, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file.replace(/\.ts$/, '.cts'),
    compilerOptions: {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2023,
      rewriteRelativeImportExtensions: true, esModuleInterop: true, removeComments: true,
    },
  });
  let code = outputText.replace(/^\/\/# sourceMappingURL=.*$/m, '');
  code = code.replace(/\bimport\("(\.{1,2}\/[^"]+)"\)/g, (_all, spec: string) => {
    const id = idOf(file, spec);
    const separate = SEPARATE[id];
    if (separate !== undefined) return `import(${JSON.stringify(separate)})`;
    lazyEntries.add(id);
    return `loadChunk(${JSON.stringify(id)}, () => import(${JSON.stringify(`./${chunkFile(id)}`)}))`;
  });
  // Every bundle lives in dist/cartridge/: any other import() would resolve from there, wrongly.
  if (/\bimport\((?!"\.\/(session-log|chunk\.[a-z0-9-]+)\.js"\))/.test(code)) throw new Error(`${file} has an import() the bundler cannot place`);
  return code;
}

const PRELUDE = `import { createRequire } from 'node:module';
const requirePackage = createRequire(import.meta.url);
const builtin = process.getBuiltinModule ?? requirePackage;
const definitions = {};
const loaded = {};
function load(id) {
  if (loaded[id] !== undefined) return loaded[id].exports;
  const module = (loaded[id] = { exports: {} });
  const require = (spec) => (spec.startsWith('.') ? load(resolveId(id, spec)) : spec.startsWith('node:') ? builtin(spec) : requirePackage(spec));
  definitions[id].call(module.exports, module.exports, require, module);
  return module.exports;
}
function resolveId(from, spec) {
  const parts = from.split('/').slice(0, -1);
  for (const part of spec.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/').replace(/\\.js$/, '.ts');
}
function loadChunk(id, importChunk) {
  return importChunk().then((chunk) => {
    chunk.define(definitions, loadChunk);
    return load(id);
  });
}
`;

/** Every module `entry` requires, transitively, that `have` lacks: id → CommonJS code. */
function collect(entry: string, have: ReadonlySet<string> = new Set()): Map<string, string> {
  const modules = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (modules.has(file) || have.has(file)) continue;
    const code = transpile(file);
    modules.set(file, code);
    for (const [, spec] of code.matchAll(/\brequire\("(\.{1,2}\/[^"]+)"\)/g)) queue.push(idOf(file, spec as string));
  }
  return modules;
}

const definition = ([id, code]: [string, string]) => `definitions[${JSON.stringify(id)}] = function (exports, require, module) {\n${code}};\n`;

for (const old of readdirSync(OUT_DIR)) if (old.startsWith('chunk.')) rmSync(join(OUT_DIR, old));
for (const bundle of BUNDLES) {
  lazyEntries.clear();
  const modules = collect(bundle.entry);
  const head = `// Generated by scripts/bundle-cartridge.ts from ${modules.size} modules (entry ${bundle.entry}); do not edit.\n`;
  const tail = `const entry = load(${JSON.stringify(bundle.entry)});\n${bundle.exports.map((name) => `export const ${name} = entry.${name};\n`).join('')}`;
  writeFileSync(join(OUT_DIR, bundle.file), head + PRELUDE + [...modules].map(definition).join('') + tail);
  process.stdout.write(`bundled ${modules.size} modules into ${relative(root, join(OUT_DIR, bundle.file))}\n`);
  // The chunks its import()s load (and theirs in turn), each without what the bundle already holds.
  const done = new Set<string>();
  for (let pending = [...lazyEntries]; pending.length > 0; pending = [...lazyEntries].filter((id) => !done.has(id))) {
    for (const id of pending) {
      done.add(id);
      const chunk = collect(id, new Set(modules.keys()));
      const text = `// Generated by scripts/bundle-cartridge.ts: ${id} and ${chunk.size - 1} more modules, loaded on first use by ${bundle.file}; do not edit.\n`
        + `export function define(definitions, loadChunk) {\n${[...chunk].map(definition).join('')}}\n`;
      writeFileSync(join(OUT_DIR, chunkFile(id)), text);
      process.stdout.write(`bundled ${chunk.size} modules into ${relative(root, join(OUT_DIR, chunkFile(id)))}\n`);
    }
  }
}
