// The worker container's config: prints the path of the config the worker should run with.
// Without PLEXBEAM_* variables that is the mounted file (PLEXBEAM_CONFIG, default
// /etc/plexbeam/config.json); with them, their values are laid over it (or over the defaults when
// nothing is mounted) into /tmp/plexbeam/config.json. Variables (docs/DEPLOY.md):
//   PLEXBEAM_API_KEY, PLEXBEAM_PORT, PLEXBEAM_MAX_JOBS, PLEXBEAM_HWACCEL, PLEXBEAM_VAAPI_DEVICE,
//   PLEXBEAM_CONFINEMENT, PLEXBEAM_MEDIA_ROOTS and PLEXBEAM_TRANSCODE_ROOTS (colon-separated),
//   PLEXBEAM_PATH_MAP ("from=to" pairs, comma-separated).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const env = process.env;
const mounted = env.PLEXBEAM_CONFIG || '/etc/plexbeam/config.json';
const list = (value) => value.split(':').filter((item) => item !== '');
const fields = {
  PLEXBEAM_API_KEY: ['apiKey', (value) => value],
  PLEXBEAM_PORT: ['port', Number],
  PLEXBEAM_MAX_JOBS: ['maxJobs', Number],
  PLEXBEAM_HWACCEL: ['hwaccel', (value) => value],
  PLEXBEAM_VAAPI_DEVICE: ['vaapiDevice', (value) => value],
  PLEXBEAM_CONFINEMENT: ['confinement', (value) => value],
  PLEXBEAM_MEDIA_ROOTS: ['mediaRoots', list],
  PLEXBEAM_TRANSCODE_ROOTS: ['transcodeRoots', list],
  PLEXBEAM_PATH_MAP: ['pathMap', (value) => value.split(',').filter((pair) => pair.includes('=')).map((pair) => ({ from: pair.slice(0, pair.indexOf('=')), to: pair.slice(pair.indexOf('=') + 1) }))],
};
const given = Object.keys(fields).filter((name) => env[name] !== undefined && env[name] !== '');
if (given.length === 0) {
  if (!existsSync(mounted)) {
    process.stderr.write(`plexbeam container: no config: mount one at ${mounted} or set PLEXBEAM_API_KEY and PLEXBEAM_MEDIA_ROOTS/PLEXBEAM_TRANSCODE_ROOTS (docs/DEPLOY.md)\n`);
    process.exit(2);
  }
  process.stdout.write(mounted);
} else {
  let config = {};
  if (existsSync(mounted)) {
    try {
      config = JSON.parse(readFileSync(mounted, 'utf8'));
    } catch (error) {
      process.stderr.write(`plexbeam container: ${mounted} is not valid JSON: ${error.message}\n`);
      process.exit(2);
    }
  }
  config.worker = { ...config.worker };
  for (const name of given) {
    const [key, parse] = fields[name];
    config.worker[key] = parse(env[name]);
  }
  mkdirSync('/tmp/plexbeam', { recursive: true, mode: 0o700 });
  writeFileSync('/tmp/plexbeam/config.json', `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write('/tmp/plexbeam/config.json');
}
