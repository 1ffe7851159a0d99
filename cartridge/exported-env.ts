/** Reads the environment the shim passes in PLEXBEAM_ENV: the output of sh's `export -p` builtin. */

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const C_ESCAPES: Record<string, number> = { a: 7, b: 8, e: 27, E: 27, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34, '?': 63 };

/**
 * Parses `export -p` as dash and busybox (`export A='x'`) and bash (`export A="x"`, `$'…'` for
 * values with control or non-ASCII bytes, or `declare -x A="x"`) print it. Variables exported
 * without a value are skipped: they are not in the environment. Stops at the first line it cannot
 * read, keeping what came before.
 */
export function parseExportedEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    const prefix = /^(?:export|declare -x) /.exec(text.slice(at, at + 11));
    if (prefix === null) break;
    at += prefix[0].length;
    const name = NAME.exec(text.slice(at, at + 256))?.[0];
    if (name === undefined) break;
    at += name.length;
    if (text[at] === '=') {
      const [value, end] = readWord(text, at + 1);
      env[name] = value;
      at = end;
    }
    while (at < text.length && text[at] !== '\n') at += 1;
    at += 1;
  }
  return env;
}

/** Reads one shell word (quotes and escapes resolved) from `start`; returns it and where it ended. */
function readWord(text: string, start: number): [string, number] {
  const bytes: number[] = [];
  const add = (chars: string) => bytes.push(...Buffer.from(chars, 'utf8'));
  let at = start;
  while (at < text.length) {
    const c = text[at] as string;
    if (c === "'") {
      const close = text.indexOf("'", at + 1);
      const end = close === -1 ? text.length : close;
      add(text.slice(at + 1, end));
      at = end + 1;
    } else if (c === '$' && text[at + 1] === "'") {
      at = readAnsiC(text, at + 2, bytes);
    } else if (c === '"') {
      at += 1;
      while (at < text.length && text[at] !== '"') {
        const next = text[at + 1];
        if (text[at] === '\\' && next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== '\n') add(next);
          at += 2;
        } else {
          add(text[at] as string);
          at += 1;
        }
      }
      at += 1;
    } else if (c === '\\') {
      add(text[at + 1] ?? '');
      at += 2;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      break;
    } else {
      add(c);
      at += 1;
    }
  }
  return [Buffer.from(bytes).toString('utf8'), at];
}

/** Reads bash's `$'…'` body from `at` (after the quote) into `bytes`; returns where it ended. */
function readAnsiC(text: string, at: number, bytes: number[]): number {
  while (at < text.length && text[at] !== "'") {
    const c = text[at] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      at += 1;
      continue;
    }
    const e = text[at + 1] ?? '';
    const digits = (pattern: RegExp, max: number) => pattern.exec(text.slice(at + 2, at + 2 + max))?.[0] ?? '';
    if (e in C_ESCAPES) {
      bytes.push(C_ESCAPES[e] as number);
      at += 2;
    } else if (/[0-7]/.test(e)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(at + 1, at + 4))?.[0] ?? '0';
      bytes.push(Number.parseInt(octal, 8) & 0xff);
      at += 1 + octal.length;
    } else if (e === 'x' && digits(/^[0-9a-fA-F]{1,2}/, 2)) {
      const hex = digits(/^[0-9a-fA-F]{1,2}/, 2);
      bytes.push(Number.parseInt(hex, 16));
      at += 2 + hex.length;
    } else if ((e === 'u' || e === 'U') && digits(/^[0-9a-fA-F]+/, e === 'u' ? 4 : 8)) {
      const hex = digits(/^[0-9a-fA-F]+/, e === 'u' ? 4 : 8);
      bytes.push(...Buffer.from(String.fromCodePoint(Number.parseInt(hex, 16)), 'utf8'));
      at += 2 + hex.length;
    } else if (e === 'c' && at + 2 < text.length) {
      bytes.push((text.charCodeAt(at + 2) & 0x1f) >>> 0);
      at += 3;
    } else {
      bytes.push(92, ...Buffer.from(e, 'utf8'));
      at += 2;
    }
  }
  return at + 1;
}
