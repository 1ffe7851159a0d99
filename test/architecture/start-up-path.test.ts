// The start-up path checker must fail on a heavy import wherever it hides: here it runs on small
// file trees with one bad import each, and on the real bundle with a bad module spliced in.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { CARTRIDGE_CHUNKS, CARTRIDGE_RULES, bundleModules, checkBundle, checkStartUpGraph, startUpForbidden, type BundleRules } from './start-up-path.ts';

/** A tree shaped like the cartridge's: main → import() run → light core; session log lazily. */
const GOOD: Record<string, string> = {
  'cartridge/main.ts': "import { join } from 'node:path';\nimport { catchStopSignals } from './signals.ts';\nconst { runCartridge } = await import('./run.ts');\n",
  'cartridge/signals.ts': 'export const catchStopSignals = () => 1;\n',
  'cartridge/run.ts': "import type { Logger } from 'pino';\nimport {\n  light,\n} from '../core/light.ts';\nimport { nodeHttp } from '../core/builtins.ts';\nexport async function runCartridge() {\n  const { openSessionLog } = await import('../core/session-log/index.ts');\n}\n",
  'core/light.ts': "export { type Thing } from './types.ts';\nexport const light = 1;\n",
  'core/types.ts': 'export type Thing = number;\n',
  'core/builtins.ts': "import { createRequire } from 'node:module';\nexport const nodeHttp = () => 1;\n",
  'core/session-log/index.ts': "import { existsSync } from 'node:fs';\nimport Database from 'better-sqlite3';\nexport const openSessionLog = () => 1;\n",
  'core/log.ts': "import pino from 'pino';\nexport const log = pino();\n",
};

function tree(t: Test, changes: Record<string, string>): string {
  const root = t.testdir();
  for (const [file, text] of Object.entries({ ...GOOD, ...changes })) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

t.test('a tree shaped like the cartridge passes', async (t) => {
  const check = checkStartUpGraph(tree(t, {}), 'cartridge/main.ts', CARTRIDGE_RULES);
  t.strictSame(check.violations, []);
  t.strictSame(check.files.sort(), ['cartridge/main.ts', 'cartridge/run.ts', 'cartridge/signals.ts', 'core/builtins.ts', 'core/light.ts', 'core/types.ts']);
  t.strictSame(check.lazyFiles, ['core/session-log/index.ts']);
});

const BAD: { name: string; changes: Record<string, string>; expect: RegExp }[] = [
  { name: 'a package behind main.ts\'s import()', changes: { 'cartridge/run.ts': "import pino from 'pino';\n" }, expect: /^cartridge\/run\.ts: import of package pino on the start-up path$/ },
  { name: 'a heavy core module two hops down', changes: { 'core/light.ts': "import {\n  log,\n} from './log.ts';\n" }, expect: /^core\/log\.ts: import of package pino/ },
  { name: 'a dynamic import of a package', changes: { 'cartridge/signals.ts': "export const later = () => import('undici');\n" }, expect: /^cartridge\/signals\.ts: import\(\) of package undici/ },
  { name: 'a re-export of a package', changes: { 'core/types.ts': "export * from 'ws';\n" }, expect: /^core\/types\.ts: import of package ws/ },
  { name: 'a bare side-effect import', changes: { 'core/types.ts': "import 'yargs';\n" }, expect: /^core\/types\.ts: import of package yargs/ },
  { name: 'a built-in that builds a slow namespace', changes: { 'cartridge/signals.ts': "import { request } from 'node:http';\n" }, expect: /^cartridge\/signals\.ts: import of node:http on the start-up path; load it through core\/builtins\.ts$/ },
  { name: 'the session log imported statically', changes: { 'cartridge/signals.ts': "import { openSessionLog } from '../core/session-log/index.ts';\n" }, expect: /^cartridge\/signals\.ts: static import of core\/session-log\/index\.ts, which must load lazily/ },
  { name: 'the lazy session log pulling in another package', changes: { 'core/session-log/index.ts': "import Database from 'better-sqlite3';\nimport pino from 'pino';\n" }, expect: /^core\/session-log\/index\.ts: import of package pino behind a lazy import$/ },
  { name: 'stream mode imported statically', changes: { 'cartridge/stream/side.ts': 'export const createStreamSide = () => 1;\n', 'cartridge/run.ts': "import { createStreamSide } from './stream/side.ts';\n" }, expect: /^cartridge\/run\.ts: static import of cartridge\/stream\/side\.ts, which must load lazily/ },
  { name: 'TLS pinning imported statically two hops down', changes: { 'core/tls-pin.ts': 'export const connectPinned = () => 1;\n', 'core/light.ts': "export { connectPinned } from './tls-pin.ts';\nexport const light = 1;\n" }, expect: /^core\/light\.ts: static import of core\/tls-pin\.ts, which must load lazily/ },
  { name: 'an import() the checker cannot follow', changes: { 'cartridge/run.ts': "const name = './x.ts';\nawait import(name);\n" }, expect: /^cartridge\/run\.ts: import\(\) of a computed specifier/ },
  { name: 'an import of a missing file', changes: { 'cartridge/run.ts': "import { x } from './gone.ts';\n" }, expect: /^cartridge\/gone\.ts: not found$/ },
];

for (const bad of BAD) {
  t.test(`fails on ${bad.name}`, async (t) => {
    const { violations } = checkStartUpGraph(tree(t, bad.changes), 'cartridge/main.ts', CARTRIDGE_RULES);
    t.equal(violations.length, 1, violations.join('\n'));
    t.match(violations[0], bad.expect);
  });
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundlePath = join(root, 'dist', 'cartridge', 'run.js');
const RUN_RULES: BundleRules = { builtins: CARTRIDGE_RULES.builtins, packages: [], dynamicImports: ['./session-log.js', ...Object.values(CARTRIDGE_CHUNKS).map((f) => `./${f}`)], forbiddenModules: startUpForbidden() };

const bundle = existsSync(bundlePath) ? readFileSync(bundlePath, 'utf8') : '';
const noBundle = bundle.startsWith('// Generated by scripts/bundle-cartridge.ts') ? false : 'no bundle in dist/cartridge/run.js: run npm run build';

t.test('the bundle check fails on a bad module spliced into the real bundle', { skip: noBundle }, async (t) => {
  t.strictSame(checkBundle('run.js', bundle, RUN_RULES), [], 'the real bundle passes');
  const splice = (body: string, id = 'cartridge/extra.ts') => bundle.replace(/^(?=const entry = load\()/m, `definitions[${JSON.stringify(id)}] = function (exports, require, module) {\n${body}\n};\n`);
  const cases: [string, string, RegExp][] = [
    ['a package', 'const undici = require("undici");', /^run\.js: requires package undici$/],
    ['a slow built-in', 'const http = require("node:http");', /^run\.js: requires node:http; load it through core\/builtins\.ts$/],
    ['a module missing from the bundle', 'const x = require("./nowhere.js");', /^run\.js: cartridge\/extra\.ts requires \.\/nowhere\.js, which is not bundled$/],
    ['another kept import()', 'const later = () => import("./fallback.js");', /^run\.js: keeps import\("\.\/fallback\.js"\)$/],
  ];
  for (const [name, body, expect] of cases) {
    const violations = checkBundle('run.js', splice(body), RUN_RULES);
    t.equal(violations.length, 1, `${name}: ${violations.join('; ')}`);
    t.match(violations[0], expect, name);
  }
  t.match(checkBundle('run.js', splice('', 'core/log.ts'), RUN_RULES), [/^run\.js: bundles core\/log\.ts$/], 'a heavy module bundled');
  t.match(checkBundle('run.js', splice('', 'cartridge/stream/side.ts'), RUN_RULES), [/^run\.js: bundles cartridge\/stream\/side\.ts$/], 'stream mode bundled into the start-up bundle');
  t.match(checkBundle('run.js', splice('', 'core/tls-pin.ts'), RUN_RULES), [/^run\.js: bundles core\/tls-pin\.ts$/], 'TLS pinning bundled into the start-up bundle');
  // A chunk defined into run.js: it may require what run.js holds, never hold it again.
  const chunk = (body: string) => `export function define(definitions, loadChunk) {\ndefinitions["core/tls-pin.ts"] = function (exports, require, module) {\n${body}\n};\n}\n`;
  const chunkRules: BundleRules = { ...RUN_RULES, forbiddenModules: /^core\/log\.ts$/, host: bundleModules(bundle) };
  t.strictSame(checkBundle('chunk.core-tls-pin.js', chunk('const b = require("./builtins.js");'), chunkRules), [], 'a chunk requiring a module of run.js');
  t.match(checkBundle('chunk.core-tls-pin.js', chunk('const b = require("./nowhere.js");'), chunkRules), [/core\/tls-pin\.ts requires \.\/nowhere\.js, which is not bundled$/], 'a chunk requiring a module no bundle holds');
  t.match(checkBundle('chunk.core-tls-pin.js', `${chunk('')}definitions["core/builtins.ts"] = function (exports, require, module) {\n};\n`, chunkRules), [/holds core\/builtins\.ts again/], 'a chunk duplicating a module of run.js (and its state)');
  t.match(checkBundle('run.js', `import pino from 'pino';\n${bundle}`, RUN_RULES), [/^run\.js: static import of pino$/], 'an ESM import around the bundler');
  t.match(checkBundle('run.js', 'export const x = 1;\n', RUN_RULES), [/no bundled modules found/], 'not a bundle at all');
});
