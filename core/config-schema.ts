/** The configuration schema as data: every key with its type, default (units stated) and meaning. */

export type FieldSpec =
  | { kind: 'string'; default: string; description: string; allowEmpty?: boolean }
  | { kind: 'integer'; default: number; description: string; min: number; max?: number }
  | { kind: 'boolean'; default: boolean; description: string }
  | { kind: 'enum'; default: string; description: string; values: readonly string[] }
  | { kind: 'string-array'; default: readonly string[]; description: string }
  | { kind: 'object-array'; default: readonly object[]; description: string; item: ObjectSpec }
  | { kind: 'object'; description: string; fields: ObjectSpec };

export type ObjectSpec = Readonly<Record<string, FieldSpec & { required?: boolean }>>;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const HWACCELS = ['auto', 'nvenc', 'qsv', 'vaapi', 'software'] as const;
export const CONFINEMENTS = ['auto', 'bubblewrap', 'unconfined'] as const;

const workerEntry: ObjectSpec = {
  // One of url and dns (core/config.ts checks): a DNS pool's url is http://<dns>:<port>.
  url: { kind: 'string', default: '', description: 'worker base URL, e.g. `http://gpu-box:8765`' },
  dns: { kind: 'string', default: '', allowEmpty: true, description: 'instead of `url`: a host name standing for every address it resolves to (a pool), re-resolved each probe round' },
  port: { kind: 'integer', default: 8765, min: 1, max: 65_535, description: "a DNS pool's worker port" },
  apiKey: { kind: 'string', default: '', allowEmpty: true, description: "the worker's `worker.apiKey`" },
  name: { kind: 'string', default: '', allowEmpty: true, description: 'label used in logs and `analyze` (default: the URL host)' },
  weight: { kind: 'integer', default: 1, min: 0, max: 1000, description: "the worker's share of jobs: free slots × weight ranks workers (0: only when no other can take the job)" },
  fingerprint: { kind: 'string', default: '', allowEmpty: true, description: "SHA-256 of the worker's TLS certificate (set by `plexbeam workers add`)" },
  storage: { kind: 'enum', default: 'auto', values: ['auto', 'shared', 'stream'], description: 'how the worker reaches Plex\'s files: `shared` (the same files at mapped paths), `stream` (media in and outputs back over the cartridge\'s own connection), `auto` (shared when the worker can reach them, else stream)' },
  // Absent: no Wake-on-LAN (core/config.ts drops the defaults then, and checks mac and broadcast when given).
  wake: {
    kind: 'object',
    description: 'Wake-on-LAN for a worker that sleeps: a play that finds it down falls back at once and sends it one magic packet, at most once a minute',
    fields: {
      mac: { kind: 'string', default: '', allowEmpty: true, description: "the MAC address of the worker's network card, `aa:bb:cc:dd:ee:ff` (required in `wake`)" },
      broadcast: { kind: 'string', default: '255.255.255.255', description: "the IPv4 broadcast address of the worker's network, e.g. `192.168.1.255` (UDP port 9)" },
    },
  },
};

const pathMapEntry: ObjectSpec = {
  from: { kind: 'string', default: '', description: 'path prefix as the Plex machine sees it', required: true },
  to: { kind: 'string', default: '', description: 'the same place as the worker sees it', required: true },
};

const shaperOverride: ObjectSpec = {
  address: { kind: 'string', default: '', description: "a client's IPv4 or IPv6 address", required: true },
  rate: { kind: 'string', default: '', description: "that client's rate and ceil, in tc's notation (`\"8mbit\"`)", required: true },
};

/** Top-level keys of /etc/plexbeam/config.json. */
export const CONFIG_SCHEMA: ObjectSpec = {
  plexDir: { kind: 'string', default: '/usr/lib/plexmediaserver', description: "Plex Media Server's install folder, holding `Plex Transcoder`" },
  dataDir: { kind: 'string', default: '/var/lib/plexbeam', description: 'holds `sessions.db`, the session log' },
  logDir: { kind: 'string', default: '/var/log/plexbeam', description: 'folder for rolled log files when `logFiles` is true' },
  logFiles: { kind: 'boolean', default: false, description: 'also write rolled JSON log files under `logDir` (stdout always gets them, for journald)' },
  logLevel: { kind: 'enum', default: 'info', values: LOG_LEVELS, description: 'pino level; `PLEXBEAM_LOG_LEVEL` overrides it' },
  workers: { kind: 'object-array', default: [], item: workerEntry, description: 'workers the cartridge may dispatch to: `[{ "url", "apiKey", "name", "weight", "fingerprint", "storage", "wake" }]` (`plexbeam workers add` writes them; `wake`: `{ "mac", "broadcast" }` for Wake-on-LAN), or a DNS pool `{ "dns", "port", "apiKey" }` in place of `url`' },
  healthTimeoutMs: { kind: 'integer', default: 500, min: 1, max: 60_000, description: 'how long the cartridge waits for worker health checks, in milliseconds (500 = half a second)' },
  fallbackToLocal: { kind: 'boolean', default: true, description: 'run `Plex Transcoder.real` locally when no worker can take a job' },
  server: {
    kind: 'object',
    description: 'the `plexbeam-server` service on the Plex machine: the fleet cache (`docs/SERVER.md`)',
    fields: {
      listen: { kind: 'string', default: '127.0.0.1:8766', description: 'address:port of the dashboard (`GET /`); an address other than loopback needs `server.password`' },
      password: { kind: 'string', default: '', allowEmpty: true, description: "the dashboard's password (HTTP basic auth, any user name); required when `listen` is not loopback" },
      fleetFile: { kind: 'string', default: '/run/plexbeam/fleet.json', description: 'the fleet cache the server writes every probe round and the cartridge and `plexbeam status` read' },
      probeIntervalMs: { kind: 'integer', default: 2000, min: 100, max: 60_000, description: "how often every worker's `GET /health` is asked, in milliseconds (2 s)" },
      probeTimeoutMs: { kind: 'integer', default: 1500, min: 1, max: 60_000, description: 'a worker answering slower than this is down, in milliseconds (1.5 s)' },
    },
  },
  watchdog: {
    kind: 'object',
    description: 'the `plexbeam-watchdog` service',
    fields: {
      recheckCron: { kind: 'string', default: '*/5 * * * *', description: 'cron expression of the periodic re-check (default every 5 minutes)' },
      settleMs: { kind: 'integer', default: 300, min: 0, max: 60_000, description: 'how long the binary must stay unchanged before acting, in milliseconds' },
    },
  },
  worker: {
    kind: 'object',
    description: 'the `plexbeam-worker` service on the GPU machine',
    fields: {
      host: { kind: 'string', default: '0.0.0.0', description: 'address the worker listens on' },
      port: { kind: 'integer', default: 8765, min: 0, max: 65_535, description: 'TCP port of the worker API (0 picks a free one)' },
      apiKey: { kind: 'string', default: '', allowEmpty: true, description: 'required in `X-API-Key` on every request but `GET /health`; empty disables auth' },
      tlsCert: { kind: 'string', default: '', allowEmpty: true, description: 'PEM certificate: with `tlsKey`, the API is served over HTTPS (the Plex side pins it, `docs/SERVER.md`)' },
      tlsKey: { kind: 'string', default: '', allowEmpty: true, description: "the certificate's PEM private key" },
      maxJobs: { kind: 'integer', default: 2, min: 1, max: 256, description: 'transcodes run at once; more are refused with 503' },
      jobTimeoutS: { kind: 'integer', default: 21_600, min: 1, description: 'a job running longer is killed, in seconds (6 hours)' },
      stallTimeoutS: { kind: 'integer', default: 60, min: 1, description: 'a job with no ffmpeg progress for this long is killed, in seconds' },
      stopHandBackS: { kind: 'integer', default: 30, min: 0, max: 40, description: 'on SIGTERM, how long running segmented jobs have to reach their next segment and be handed back before the rest is cancelled, in seconds (below the unit\'s `TimeoutStopSec=45`; 0 cancels at once)' },
      ffmpegPath: { kind: 'string', default: 'ffmpeg', description: 'ffmpeg binary (a name on PATH or an absolute path)' },
      ffprobePath: { kind: 'string', default: 'ffprobe', description: 'ffprobe binary' },
      hwaccel: { kind: 'enum', default: 'auto', values: HWACCELS, description: '`auto` probes NVENC > QSV > VAAPI > software by real test encodes' },
      vaapiDevice: { kind: 'string', default: '', allowEmpty: true, description: 'VAAPI/QSV render node; empty picks the first `/dev/dri/renderD*`' },
      mediaRoots: { kind: 'string-array', default: [], description: 'folders (worker side) ffmpeg may read media from' },
      transcodeRoots: { kind: 'string-array', default: [], description: "folders (worker side) ffmpeg may read and write, e.g. Plex's transcode folder" },
      pathMap: { kind: 'object-array', default: [], item: pathMapEntry, description: 'rewrites Plex-side path prefixes to worker-side ones: `[{ "from", "to" }]`' },
      confinement: { kind: 'enum', default: 'auto', values: CONFINEMENTS, description: 'kernel confinement of ffmpeg/ffprobe: `auto` and `bubblewrap` run each in a bubblewrap sandbox and refuse to start when it does not work; `unconfined` accepts running without it (a warning at start)' },
      allowHttpInputs: { kind: 'boolean', default: false, description: 'allow `http(s)://` inputs to hosts other than loopback (Live TV)' },
      maxBodyBytes: { kind: 'integer', default: 1_048_576, min: 1024, description: 'largest accepted request body, in bytes (1 MiB)' },
      libraryJobs: { kind: 'integer', default: 1, min: 0, max: 16, description: 'library re-encodes (`POST /library/jobs`) run at once, apart from `maxJobs` and paused while a live transcode runs; 0 refuses them' },
    },
  },
  shaper: {
    kind: 'object',
    description: 'the optional `plexbeam-shaper` service: per-viewer upload shaping with tc (`docs/SHAPER.md`)',
    fields: {
      interface: { kind: 'string', default: '', allowEmpty: true, description: 'egress network interface to shape, e.g. `eth0` (required by `plexbeam shaper run`)' },
      ceil: { kind: 'string', default: '20mbit', description: "server-wide ceiling for all shaped viewers together, in tc's notation (`\"20mbit\"`)" },
      perClient: { kind: 'string', default: '4mbit', description: "each viewer's rate and ceil, in tc's notation (`\"4mbit\"`)" },
      overrides: { kind: 'object-array', default: [], item: shaperOverride, description: 'per-client rates: `[{ "address", "rate" }]`' },
      exempt: { kind: 'string-array', default: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10', '::1/128'], description: 'CIDRs never shaped (default: the private LAN ranges and loopback)' },
      grace: { kind: 'integer', default: 15, min: 0, max: 3600, description: 'a stopped or vanished session keeps its class this long, in seconds (seeks and timeline drags do not flap rules)' },
      pmsUrl: { kind: 'string', default: 'http://127.0.0.1:32400', description: "Plex Media Server's URL for `/status/sessions` (loopback)" },
      preferencesPath: { kind: 'string', default: '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Preferences.xml', description: "Plex's `Preferences.xml`, read for the server token (`PlexOnlineToken`)" },
      logPath: { kind: 'string', default: '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Logs/Plex Media Server.log', description: "Plex's log, followed for play/stop lines when `/status/sessions` cannot be read" },
    },
  },
};
