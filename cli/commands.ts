/** The `plexbeam` commands: their options and help, each loading its implementation only when run. */
import type { CommandModule } from 'yargs';

type Args = Record<string, unknown>;

/** Runs a command module's `run(args)` and sets the exit code it returns. */
async function runLazy(load: () => Promise<{ run: (args: Args) => Promise<number | void> }>, args: Args): Promise<void> {
  const module = await load();
  const code = await module.run(args);
  if (typeof code === 'number') process.exitCode = code;
}

const json = { type: 'boolean', default: false, describe: 'print JSON instead of a table' } as const;
const plexDir = { type: 'string', describe: "Plex's install folder (default: plexDir from the config)" } as const;

export const COMMANDS: CommandModule<object, Args>[] = [
  {
    command: 'demo',
    describe: 'see it work: a loopback worker, a stand-in Plex with the cartridge, one HLS transcode; leaves nothing behind',
    builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' }),
    handler: (args) => runLazy(() => import('./commands/demo.ts'), args),
  },
  {
    command: 'worker [action]',
    describe: 'run the worker service in the foreground (systemd runs this); drain: refuse new jobs, hand running segmented jobs back at their next segment (others finish); resume: take jobs again',
    builder: (y) => y.positional('action', { choices: ['drain', 'resume'] as const, describe: 'tell the worker running on this machine' }),
    handler: (args) => runLazy(() => import('./commands/worker.ts'), args),
  },
  {
    command: 'watchdog',
    describe: 'run the watchdog in the foreground: keeps the cartridge installed across Plex updates',
    builder: (y) => y.option('plex-dir', plexDir),
    handler: (args) => runLazy(() => import('./commands/watchdog.ts'), args),
  },
  {
    command: 'cartridge <action>',
    describe: 'install, uninstall or inspect the Plex Transcoder shim',
    builder: (y) =>
      y
        .positional('action', { choices: ['install', 'uninstall', 'status'] as const, describe: 'what to do', demandOption: true })
        .option('plex-dir', plexDir)
        .option('json', json),
    handler: (args) => runLazy(() => import('./commands/cartridge.ts'), args),
  },
  {
    command: 'analyze',
    describe: 'summarise the session log: what Plex asked for, what ran where, what could run remotely',
    builder: (y) =>
      y
        .option('db', { type: 'string', describe: 'session log (default: <dataDir>/sessions.db)' })
        .option('since', { type: 'string', describe: 'only sessions since this ISO date/time' })
        .option('json', json)
        .option('patterns', { type: 'boolean', describe: 'unique argument patterns with counts' })
        .option('remote-feasibility', { type: 'boolean', describe: 'what could run remotely, and what blocks the rest' })
        .option('detail', { type: 'string', describe: 'everything recorded for one session', requiresArg: true })
        .option('events', { type: 'boolean', describe: 'watchdog and version events' })
        .conflicts({ patterns: ['remote-feasibility', 'detail', 'events'], 'remote-feasibility': ['detail', 'events'], detail: ['events'] }),
    handler: (args) => runLazy(() => import('./commands/analyze.ts'), args),
  },
  {
    command: 'probe',
    describe: "probe this machine's hardware encoders with real test encodes",
    builder: (y) => y.option('json', json),
    handler: (args) => runLazy(() => import('./commands/probe.ts'), args),
  },
  {
    command: 'shaper <action>',
    describe: 'per-viewer upload shaping with tc: run the service in the foreground, or show its status',
    builder: (y) =>
      y
        .positional('action', { choices: ['run', 'status'] as const, describe: 'what to do', demandOption: true })
        .option('json', json),
    handler: (args) => runLazy(() => import('./commands/shaper.ts'), args),
  },
  {
    command: 'server',
    describe: 'run the Plex-side daemon in the foreground: probes every worker and keeps the fleet cache (systemd runs this)',
    handler: (args) => runLazy(() => import('./commands/server.ts'), args),
  },
  {
    command: 'status',
    describe: 'every worker, live session and recent failure; exit 3 when no worker is up',
    builder: (y) => y.option('json', json).option('watch', { type: 'boolean', default: false, describe: 'redraw every probe interval until interrupted' }),
    handler: (args) => runLazy(() => import('./commands/status.ts'), args),
  },
  {
    command: 'workers <action> [target]',
    describe: "add, remove, list or test the config's workers (add and test ask the worker first)",
    builder: (y) =>
      y
        .positional('action', { choices: ['add', 'remove', 'list', 'test'] as const, describe: 'what to do', demandOption: true })
        .positional('target', { type: 'string', describe: 'add: the worker URL; remove, test: its name (or URL)' })
        .option('key', { type: 'string', describe: "add: the worker's worker.apiKey", requiresArg: true })
        .option('name', { type: 'string', describe: 'add: a name for it (default: host:port)', requiresArg: true })
        .option('fingerprint', { type: 'string', describe: "add: the SHA-256 of the worker's certificate (install.sh prints it); refused when the worker shows another", requiresArg: true })
        .option('json', json),
    handler: (args) => runLazy(() => import('./commands/workers.ts'), args),
  },
  {
    command: 'library <action> [dirs..]',
    describe: 're-encode the media library on idle workers (AV1/HEVC), never losing a file: scan folders, list what it would save, queue encodes',
    builder: (y) =>
      y
        .positional('action', { choices: ['scan', 'list', 'encode'] as const, describe: 'scan: probe the folders; list: every file and the totals; encode: queue the candidates', demandOption: true })
        .positional('dirs', { type: 'string', array: true, describe: 'scan: the folders (Plex-side paths)' })
        .option('json', json)
        .option('candidates', { type: 'boolean', default: false, describe: 'list: only the files an encode would take' })
        .option('codec', { choices: ['av1', 'hevc'] as const, describe: 'list, encode: the codec to encode to (default hevc)' })
        .option('quality', { type: 'number', describe: "encode: the encoder's constant-quality level (CRF-like; default: the worker's)", requiresArg: true })
        .option('min-savings', { type: 'number', default: 5, describe: 'encode: keep an encode only if it saves at least this percent', requiresArg: true })
        .option('keep-original', { type: 'boolean', default: false, describe: 'encode: keep the original as NAME.orig.EXT (testing)' })
        .option('limit', { type: 'number', describe: 'encode: queue at most this many files', requiresArg: true })
        .option('dry-run', { type: 'boolean', default: false, describe: 'encode: say what would be queued, queue nothing' })
        .option('wait', { type: 'boolean', default: false, describe: 'encode: return when the queued jobs have ended (exit 1 if one failed)' }),
    handler: (args) => runLazy(() => import('./commands/library.ts'), args),
  },
  {
    command: 'doctor',
    describe: 'check the whole set-up and say how to fix each failure',
    builder: (y) =>
      y
        .option('json', json)
        .option('transcode', { type: 'boolean', default: false, describe: "also run a short HLS transcode through the cartridge on each configured worker (in Plex's transcode folder)" })
        .option('transcode-dir', { type: 'string', describe: "Plex-side folder for that transcode, which every worker sees through its pathMap (default: Plex's transcode folder)", requiresArg: true }),
    handler: (args) => runLazy(() => import('./commands/doctor.ts'), args),
  },
];
