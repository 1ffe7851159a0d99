/**
 * Checks the cartridge's start-up path (every play and seek pays for it): the module graph from
 * an entry, static and dynamic imports followed transitively (parsed by TypeScript, so a
 * multi-line or re-exported import cannot slip through), and the bundle that
 * scripts/bundle-cartridge.ts builds from it. Each returns the violations it found, so a test can
 * run it on a deliberately bad file tree and see it fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** One import of a module: `specifier` is null for an `import()` of a computed value. */
export interface ModuleImport {
  specifier: string | null;
  dynamic: boolean;
}

/** What may be reached from the entry. */
export interface StartUpRules {
  /** Built-ins a start-up module may import by name; the rest load through core/builtins.ts. */
  builtins: readonly string[];
  /**
   * Modules reached only by `import()` once the work is under way, with the packages their own
   * graph may load (any built-in is allowed there: they are off the start-up path).
   */
  lazy: Readonly<Record<string, readonly string[]>>;
}

/**
 * The cartridge's rules: light built-ins by name; lazily, the session log (and SQLite), and the
 * code only some jobs use: stream mode's plan and side, TLS pinning (a pinned https worker),
 * Wake-on-LAN (a down worker with `wake`), failover (a job whose worker was lost mid-play).
 */
export const CARTRIDGE_RULES: StartUpRules = {
  builtins: ['node:module', 'node:os', 'node:path'],
  lazy: {
    'core/session-log/index.ts': ['better-sqlite3'],
    'cartridge/stream/plan.ts': [],
    'cartridge/stream/side.ts': [],
    'core/tls-pin.ts': [],
    'core/pinned-request.ts': [],
    'cartridge/wake.ts': [],
    'cartridge/resume/failover.ts': [],
  },
};

/** The chunk files scripts/bundle-cartridge.ts writes beside run.js for the lazy modules run.js reaches by import(). */
export const CARTRIDGE_CHUNKS: Readonly<Record<string, string>> = {
  'cartridge/stream/plan.ts': 'chunk.stream-plan.js',
  'cartridge/stream/side.ts': 'chunk.stream-side.js',
  'core/tls-pin.ts': 'chunk.core-tls-pin.js',
  'cartridge/wake.ts': 'chunk.wake.js',
  'cartridge/resume/failover.ts': 'chunk.resume-failover.js',
};

/** Module ids run.js (the start-up bundle) must not hold: the logger, and every lazy module (a lazy index.ts: its whole folder). */
export function startUpForbidden(rules: StartUpRules = CARTRIDGE_RULES): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ids = Object.keys(rules.lazy).map((id) => (id.endsWith('/index.ts') ? `${escape(dirname(id))}/` : `${escape(id)}$`));
  return new RegExp(`^(core/log\\.ts$|${ids.join('|')})`);
}

/** Every import a module's code performs when it runs (type-only imports are erased, so skipped). */
export function importsOf(fileName: string, text: string): ModuleImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ModuleImport[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      found.push({ specifier: ts.isStringLiteral(expr) ? expr.text : null, dynamic: false });
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      found.push({ specifier: arg && ts.isStringLiteralLike(arg) ? arg.text : null, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier from `file` as a path relative to the root (`.js` read as `.ts`). */
function resolveFrom(file: string, specifier: string): string {
  return join(dirname(file), specifier).replace(/\.js$/, '.ts');
}

/** The result of walking a module graph. */
export interface GraphCheck {
  /** Files reached on the start-up path, entry first. */
  files: string[];
  /** Files reached only through a lazy boundary. */
  lazyFiles: string[];
  violations: string[];
}

/** Walks the graph from `entry` (relative to `root`) and reports what breaks `rules`. */
export function checkStartUpGraph(root: string, entry: string, rules: StartUpRules): GraphCheck {
  const result: GraphCheck = { files: [], lazyFiles: [], violations: [] };
  const seen = new Set<string>();
  // Each queue entry carries the packages allowed there: null on the start-up path itself.
  const queue: { file: string; lazyPackages: readonly string[] | null }[] = [{ file: entry, lazyPackages: null }];
  while (queue.length > 0) {
    const { file, lazyPackages } = queue.shift() as (typeof queue)[number];
    const key = `${lazyPackages === null ? 'start' : 'lazy'}:${file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = resolve(root, file);
    if (!existsSync(path)) {
      result.violations.push(`${file}: not found`);
      continue;
    }
    (lazyPackages === null ? result.files : result.lazyFiles).push(file);
    for (const { specifier, dynamic } of importsOf(file, readFileSync(path, 'utf8'))) {
      const how = dynamic ? 'import()' : 'import';
      if (specifier === null) {
        result.violations.push(`${file}: ${how} of a computed specifier cannot be checked`);
      } else if (specifier.startsWith('node:')) {
        if (lazyPackages === null && !dynamic && !rules.builtins.includes(specifier)) {
          result.violations.push(`${file}: ${how} of ${specifier} on the start-up path; load it through core/builtins.ts`);
        }
      } else if (!specifier.startsWith('.')) {
        if (lazyPackages === null || !lazyPackages.includes(specifier)) {
          result.violations.push(`${file}: ${how} of package ${specifier}${lazyPackages === null ? ' on the start-up path' : ' behind a lazy import'}`);
        }
      } else {
        const target = resolveFrom(file, specifier);
        const lazy = rules.lazy[target];
        if (lazyPackages === null && lazy !== undefined && !dynamic) {
          result.violations.push(`${file}: static ${how} of ${target}, which must load lazily (import())`);
        }
        queue.push({ file: target, lazyPackages: lazy ?? lazyPackages });
      }
    }
  }
  return result;
}

/** What one bundle file may contain. */
export interface BundleRules {
  /** `node:` built-ins the bundle may require. */
  builtins: readonly string[] | 'any';
  /** Packages the bundle may require. */
  packages: readonly string[];
  /** Specifiers its kept `import()`s may name. */
  dynamicImports: readonly string[];
  /** Module ids that must not be in it. */
  forbiddenModules: RegExp;
  /** For a chunk: the modules of the bundle it is defined into (it may require them, and must not hold them again). */
  host?: readonly string[];
}

/** Module ids a bundle holds, as scripts/bundle-cartridge.ts names them (`definitions["id"]`). */
export function bundleModules(text: string): string[] {
  return [...text.matchAll(/^definitions\[("[^"]+")\] = function/gm)].map((m) => JSON.parse(m[1] as string) as string);
}

/** Reports what in a bundle breaks `rules`: requires of packages or built-ins, kept imports, modules. */
export function checkBundle(name: string, text: string, rules: BundleRules): string[] {
  const violations: string[] = [];
  const modules = bundleModules(text);
  if (modules.length === 0) violations.push(`${name}: no bundled modules found (not a scripts/bundle-cartridge.ts bundle?)`);
  for (const id of modules) if (rules.forbiddenModules.test(id)) violations.push(`${name}: bundles ${id}`);
  const host = new Set(rules.host ?? []);
  for (const id of modules) if (host.has(id)) violations.push(`${name}: holds ${id} again (its host bundle has it)`);
  const defined = new Set([...modules, ...host]);
  // Each module body is its own chunk: a relative require must land in the bundle.
  const chunks = text.split(/^(?=definitions\[")/m);
  for (const chunk of chunks) {
    const id = /^definitions\[("[^"]+")\]/.exec(chunk)?.[1];
    const from = id === undefined ? null : (JSON.parse(id) as string);
    for (const [, spec] of chunk.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const s = spec as string;
      if (s.startsWith('.')) {
        if (from !== null && !defined.has(resolveFrom(from, s))) violations.push(`${name}: ${from} requires ${s}, which is not bundled`);
      } else if (s.startsWith('node:')) {
        if (rules.builtins !== 'any' && !rules.builtins.includes(s)) violations.push(`${name}: requires ${s}; load it through core/builtins.ts`);
      } else if (!rules.packages.includes(s)) {
        violations.push(`${name}: requires package ${s}`);
      }
    }
    for (const [, spec] of chunk.matchAll(/\bimport\(\s*([^)]*?)\s*\)/g)) {
      const literal = /^["']([^"']+)["']$/.exec(spec as string)?.[1];
      if (literal === undefined || !rules.dynamicImports.includes(literal)) violations.push(`${name}: keeps import(${spec})`);
    }
  }
  // Static ESM imports exist only in the prelude (node:module) or where something bypassed the bundler.
  for (const [, spec] of text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) {
    if (spec !== 'node:module') violations.push(`${name}: static import of ${spec}`);
  }
  return violations;
}
