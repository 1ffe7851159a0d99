/**
 * Edits the config file in place for `plexbeam workers`: the new text is validated as a config,
 * written to a temporary file with the old one's mode and owner, the old one kept as `<file>.bak`,
 * then renamed over it (a reader sees the old file or the new one, never half of one).
 */
import { chmodSync, chownSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, validateConfig } from '../../core/config.ts';
import { PlexBeamError } from '../../core/errors.ts';

/** The config file as written (JSON), its path, and the indentation it uses. */
export interface ConfigDocument {
  path: string;
  exists: boolean;
  raw: Record<string, unknown>;
  indent: string | number;
}

/** The config file path a command edits: --config, else PLEXBEAM_CONFIG, else the default. */
export function configPathOf(args: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string {
  return typeof args.config === 'string' ? args.config : env.PLEXBEAM_CONFIG || DEFAULT_CONFIG_PATH;
}

/** Reads the file (absent: an empty config); throws CONFIG_INVALID_JSON or IO. */
export function readConfigDocument(path: string): ConfigDocument {
  if (!existsSync(path)) return { path, exists: false, raw: {}, indent: 2 };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlexBeamError('IO', `cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PlexBeamError('CONFIG_INVALID_JSON', `config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PlexBeamError('CONFIG_INVALID', `invalid config (${path}): the config must be an object`);
  // Keep the file's own indentation (a tab, or its first indented line's spaces); one-line files stay one line.
  const indented = /\n([ \t]+)\S/.exec(text)?.[1];
  return { path, exists: true, raw: raw as Record<string, unknown>, indent: indented === undefined ? (text.trim().includes('\n') ? 2 : 0) : indented.startsWith('\t') ? '\t' : indented.length };
}

/** Validates `raw` as a config (throws CONFIG_INVALID naming the key), then replaces the file atomically, keeping a `.bak`. */
export function writeConfigDocument(doc: ConfigDocument, raw: Record<string, unknown>): void {
  validateConfig(raw, doc.path);
  const text = `${JSON.stringify(raw, null, doc.indent)}\n`;
  const temporary = `${doc.path}.${process.pid}.tmp`;
  try {
    const old = doc.exists ? statSync(doc.path) : null;
    // The config holds API keys: a new file is readable by its owner and group only.
    writeFileSync(temporary, text, { mode: old === null ? 0o640 : old.mode & 0o7777 });
    if (old !== null) {
      chmodSync(temporary, old.mode & 0o7777);
      if (process.getuid?.() === 0) chownSync(temporary, old.uid, old.gid);
      copyFileSync(doc.path, `${doc.path}.bak`);
      chmodSync(`${doc.path}.bak`, old.mode & 0o7777);
      if (process.getuid?.() === 0) chownSync(`${doc.path}.bak`, old.uid, old.gid);
    }
    try {
      renameSync(temporary, doc.path);
    } catch (error) {
      // A file bind-mounted on its own (a container's config) cannot be replaced: rewrite it in place (the .bak is there).
      if (!['EBUSY', 'EXDEV'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      writeFileSync(doc.path, text);
      rmSync(temporary, { force: true });
    }
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new PlexBeamError('IO', `cannot write config file ${doc.path}: ${(error as Error).message}`, { cause: error });
  }
}
