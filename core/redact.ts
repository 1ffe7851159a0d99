/** Removes secrets (Plex tokens, API keys) from strings, argv and logged objects before they are logged or stored. */

// `X-Plex-Token=…` in a query string or a bare `name=value` list, also URL-encoded once (`X-Plex-Token%3D…`).
const TOKEN_IN_QUERY = /((?:^|[?&;\s"',{(]|%26|%3F)(?:X-Plex-Token|X_PLEX_TOKEN|api[_-]?key|token)(?:=|%3D))(?:(?!%26)[^&#\s"';,)}\\])*/gi;
// `X-Plex-Token: …` / `X-API-Key: …` as a header line (ffmpeg's `-headers`, a logged request).
const TOKEN_IN_HEADER = /((?:^|[\s"',{;]|\\n|\\r)(?:X-Plex-Token|X-API-Key|X_PLEX_TOKEN)\s*:\s*)[^\s"',;\\]+/gi;
const SECRET_ENV_NAMES = /^(X_PLEX_TOKEN|PLEXBEAM_API_KEY|.*(?:TOKEN|SECRET|PASSWORD|API_?KEY).*)$/i;
// Field and header names whose string values are secrets whatever they look like.
const SECRET_KEYS = /^(?:x[-_]plex[-_]token|x[-_]api[-_]key|api[-_]?key|authorization|proxy-authorization|cookie|set-cookie)$/i;
// An argv element naming a secret whose value is the next element (`-X-Plex-Token abc`, `['X-Plex-Token', 'abc']`).
const SECRET_FLAG = /^-{0,2}(?:x[-_]plex[-_]token|api[-_]?key|token)$/i;

/** Replaces token values in URL query strings and header lines with `REDACTED`. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_IN_QUERY, '$1REDACTED').replace(TOKEN_IN_HEADER, '$1REDACTED');
}

/** Redacts every argv element (argv stays the same length so positions still match). */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg, index) => (index > 0 && SECRET_FLAG.test(argv[index - 1] as string) ? 'REDACTED' : redactSecrets(arg)));
}

/** True when an environment variable's value must never be logged or sent off the Plex machine. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAMES.test(name);
}

/**
 * A copy of `value` with every secret replaced by `REDACTED`, however deep: strings through
 * `redactSecrets`, argv-like arrays through `redactArgv`, string values of secret-named keys
 * (`X-Plex-Token` in any case, `X_PLEX_TOKEN`, API keys, cookies) whole, and Errors as
 * redacted copies of the same class. Used on every log line (core/log.ts).
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 10) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) {
    return value.map((item, index) => (typeof item === 'string' && index > 0 && typeof value[index - 1] === 'string' && SECRET_FLAG.test(value[index - 1])
      ? 'REDACTED'
      : redactDeep(item, depth + 1, seen)));
  }
  if (value instanceof Error) {
    // A copy with the same prototype, so pino's error serializer still names its type.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) copy[key] = redactDeep((value as unknown as Record<string, unknown>)[key], depth + 1, seen);
    return copy;
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof Date || value instanceof URL) return value instanceof URL ? redactSecrets(value.href) : value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = typeof item === 'string' && (SECRET_KEYS.test(key) || isSecretEnvName(key)) ? 'REDACTED' : redactDeep(item, depth + 1, seen);
  }
  return out;
}

/** pino `redact` paths for the shapes PlexBeam logs. */
export const LOG_REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'worker.apiKey',
  'workers[*].apiKey',
  'headers["x-api-key"]',
  'headers["x-plex-token"]',
  'req.headers["x-api-key"]',
  'req.headers["x-plex-token"]',
  'env.X_PLEX_TOKEN',
  '*.env.X_PLEX_TOKEN',
];
