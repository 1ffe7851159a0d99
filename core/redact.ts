/** Removes secrets (Plex tokens, API keys) from strings and argv before they are logged or stored. */

const TOKEN_IN_QUERY = /([?&](?:X-Plex-Token|X_PLEX_TOKEN|api[_-]?key|token)=)[^&#\s"']*/gi;
const SECRET_ENV_NAMES = /^(X_PLEX_TOKEN|PLEXBEAM_API_KEY|.*(?:TOKEN|SECRET|PASSWORD|API_?KEY).*)$/i;

/** Replaces token values in URL query strings with `REDACTED`. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_IN_QUERY, '$1REDACTED');
}

/** Redacts every argv element (argv stays the same length so positions still match). */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map(redactSecrets);
}

/** True when an environment variable's value must never be logged or sent off the Plex machine. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAMES.test(name);
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
