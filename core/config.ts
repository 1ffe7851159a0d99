/** Reads, validates and freezes PlexBeam's configuration (defaults < file < environment < flags). */
// node:fs through the namespace-free loader: the cartridge reads the config on every play (core/builtins.ts).
import { nodeFs } from './builtins.ts';
import { CONFIG_SCHEMA, type FieldSpec, type ObjectSpec } from './config-schema.ts';
import { PlexBeamError, describeValue } from './errors.ts';

export const DEFAULT_CONFIG_PATH = '/etc/plexbeam/config.json';

export interface WorkerEntry { readonly url: string; readonly apiKey: string; readonly name: string; readonly weight?: number; readonly fingerprint?: string; readonly dns?: string; readonly port?: number; readonly storage?: 'auto' | 'shared' | 'stream'; readonly wake?: WakeTarget }
/** `workers[].wake`: where a Wake-on-LAN magic packet for the worker goes (absent: none is sent). */
export interface WakeTarget { readonly mac: string; readonly broadcast: string }
/** The `server` section (plexbeam-server). */
export interface ServerConfig { readonly listen: string; readonly password: string; readonly fleetFile: string; readonly probeIntervalMs: number; readonly probeTimeoutMs: number }
export interface PathMapEntry { readonly from: string; readonly to: string }

export interface WorkerConfig {
  readonly host: string;
  readonly port: number;
  readonly apiKey: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly maxJobs: number;
  readonly jobTimeoutS: number;
  readonly stallTimeoutS: number;
  /** Seconds a SIGTERM waits for segmented jobs to be handed back; absent in hand-built configs: 30. */
  readonly stopHandBackS?: number;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly hwaccel: 'auto' | 'nvenc' | 'qsv' | 'vaapi' | 'software';
  readonly vaapiDevice: string;
  readonly mediaRoots: readonly string[];
  readonly transcodeRoots: readonly string[];
  readonly pathMap: readonly PathMapEntry[];
  readonly allowHttpInputs: boolean;
  readonly confinement: 'auto' | 'bubblewrap' | 'unconfined';
  readonly maxBodyBytes: number;
  /** Library re-encodes at once (worker/library); absent in hand-built configs: 1. */
  readonly libraryJobs?: number;
}

/** The `shaper` section (rates and CIDRs are validated by shaper/config.ts). */
export interface ShaperConfig {
  readonly interface: string;
  readonly ceil: string;
  readonly perClient: string;
  readonly overrides: readonly { readonly address: string; readonly rate: string }[];
  readonly exempt: readonly string[];
  readonly grace: number;
  readonly pmsUrl: string;
  readonly preferencesPath: string;
  readonly logPath: string;
}

export interface Config {
  readonly plexDir: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly logFiles: boolean;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readonly workers: readonly WorkerEntry[];
  readonly healthTimeoutMs: number;
  readonly fallbackToLocal: boolean;
  readonly server: ServerConfig;
  readonly watchdog: { readonly recheckCron: string; readonly settleMs: number };
  readonly worker: WorkerConfig;
  readonly shaper: ShaperConfig;
  /** Where the config came from (`null`: defaults only). */
  readonly source: string | null;
}

export interface LoadConfigOptions {
  /** `--config PATH` */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag overrides applied last, e.g. `{ plexDir }` from `--plex-dir`. */
  overrides?: Partial<Record<'plexDir' | 'dataDir' | 'logDir', string>>;
}

/** Loads the config: `--config`, else `PLEXBEAM_CONFIG`, else /etc/plexbeam/config.json if present. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicit = options.path ?? (env.PLEXBEAM_CONFIG || undefined);
  const path = explicit ?? DEFAULT_CONFIG_PATH;
  let raw: unknown = {};
  let source: string | null = null;
  let text: string | undefined;
  try {
    text = nodeFs().readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The default file is optional; a file the user named must exist.
    if (explicit !== undefined || code !== 'ENOENT') {
      throw new PlexBeamError('CONFIG_NOT_FOUND', `cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text !== undefined) {
    source = path;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new PlexBeamError('CONFIG_INVALID_JSON', `config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const merged = validateConfig(raw, source ?? 'defaults');
  const levelFromEnv = env.PLEXBEAM_LOG_LEVEL;
  if (levelFromEnv) {
    merged.logLevel = validateField('PLEXBEAM_LOG_LEVEL', CONFIG_SCHEMA.logLevel as FieldSpec, levelFromEnv, 'environment');
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  merged.source = source;
  return deepFreeze(merged) as unknown as Config;
}

/** Validates a parsed config object against the schema and fills defaults; throws CONFIG_INVALID. */
export function validateConfig(raw: unknown, origin = 'config'): Record<string, unknown> {
  const config = validateObject('', CONFIG_SCHEMA, raw, origin);
  // A worker entry is a URL or a DNS pool: exactly one of the two; a pool's url names it.
  (config.workers as Record<string, unknown>[]).forEach((entry, index) => {
    if (entry.url === '' && entry.dns === '') throw invalid(origin, `missing required key \`workers[${index}].url\` (or \`dns\` for a DNS pool)`);
    if (entry.url !== '' && entry.dns !== '') throw invalid(origin, `\`workers[${index}]\`: expected url or dns, not both`);
    if (entry.dns !== '') entry.url = `http://${entry.dns}:${entry.port}`;
    checkWake(entry, (raw as { workers: Record<string, unknown>[] }).workers[index]?.wake !== undefined, index, origin);
  });
  return config;
}

/** `aa:bb:cc:dd:ee:ff` (or `-` between the bytes). */
const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** A worker entry's `wake`, when given: a MAC and an IPv4 broadcast address, on a url entry (not a DNS pool); dropped when not given. */
function checkWake(entry: Record<string, unknown>, given: boolean, index: number, origin: string): void {
  const wake = entry.wake as { mac: string; broadcast: string };
  if (!given) {
    delete entry.wake;
    return;
  }
  const name = `workers[${index}].wake`;
  if (!MAC.test(wake.mac)) throw invalid(origin, `\`${name}.mac\`: expected a MAC address like aa:bb:cc:dd:ee:ff, got ${describeValue(wake.mac)}`);
  if (!IPV4.test(wake.broadcast)) throw invalid(origin, `\`${name}.broadcast\`: expected an IPv4 broadcast address like 192.168.1.255, got ${describeValue(wake.broadcast)}`);
  if (entry.dns !== '') throw invalid(origin, `\`${name}\`: a DNS pool stands for many machines; give wake to a url entry`);
}

function validateObject(prefix: string, spec: ObjectSpec, raw: unknown, origin: string): Record<string, unknown> {
  const label = prefix === '' ? 'the config' : `\`${prefix}\``;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(origin, `${label} must be an object, got ${describeValue(raw)}`);
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(spec, key)) {
      const known = Object.keys(spec).join(', ');
      throw invalid(origin, `unknown key \`${prefix}${key}\` (known keys${prefix ? ` of ${label}` : ''}: ${known})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    const name = `${prefix}${key}`;
    if (input[key] === undefined) {
      if (field.required) throw invalid(origin, `missing required key \`${name}\``);
      out[key] = field.kind === 'object' ? validateObject(`${name}.`, field.fields, {}, origin) : structuredClone(field.default);
    } else {
      out[key] = validateField(name, field, input[key], origin);
    }
  }
  return out;
}

function validateField(name: string, field: FieldSpec, value: unknown, origin: string): any {
  const expect = (what: string) => invalid(origin, `\`${name}\`: expected ${what}, got ${describeValue(value)}`);
  switch (field.kind) {
    case 'string':
      if (typeof value !== 'string') throw expect('a string');
      if (!field.allowEmpty && value === '') throw expect('a non-empty string');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw expect('an integer');
      if (value < field.min || (field.max !== undefined && value > field.max)) {
        throw expect(`an integer from ${field.min}${field.max === undefined ? ' up' : ` to ${field.max}`}`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw expect('true or false');
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) throw expect(`one of ${field.values.join(', ')}`);
      return value;
    case 'string-array':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
        throw expect('an array of non-empty strings');
      }
      return [...value];
    case 'object-array':
      if (!Array.isArray(value)) throw expect('an array of objects');
      return value.map((item, index) => validateObject(`${name}[${index}].`, field.item, item, origin));
    case 'object':
      return validateObject(`${name}.`, field.fields, value, origin);
  }
}

function invalid(origin: string, message: string): PlexBeamError {
  return new PlexBeamError('CONFIG_INVALID', `invalid config (${origin}): ${message}`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
