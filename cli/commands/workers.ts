/**
 * `plexbeam workers add URL [--key K] [--name N] [--fingerprint FP] | remove NAME | list [--json] |
 * test NAME`: the config's `workers`, without hand-edited JSON. `add` and `test` ask the worker first.
 */
import { workerLabel } from '../../server/targets.ts';
import { readPackageVersion } from '../../worker/version.ts';
import { EXIT_FAILURE, EXIT_USAGE } from '../../core/errors.ts';
import { normalizeFingerprint, readCertificateFingerprint } from '../../core/tls-pin.ts';
import { describeRequestError } from '../../core/wire/worker-request.ts';
import { checkWorker } from '../workers/check.ts';
import { configPathOf, readConfigDocument, writeConfigDocument } from '../workers/config-file.ts';

type Entry = { url?: string; dns?: string; port?: number; apiKey?: string; name?: string; [key: string]: unknown };

const fail = (message: string, code = EXIT_FAILURE) => {
  process.stderr.write(`plexbeam: ${message}\n`);
  return code;
};

/** A DNS pool's URL names the pool (core/config.ts does the same). */
const urlOf = (entry: Entry) => (typeof entry.dns === 'string' && entry.dns !== '' ? `http://${entry.dns}:${entry.port ?? 8765}` : entry.url ?? '');
const labelOf = (entry: Entry) => workerLabel({ name: entry.name || entry.dns || '', url: urlOf(entry) });

/** Runs the action. */
export async function run(args: Record<string, unknown>): Promise<number> {
  const doc = readConfigDocument(configPathOf(args));
  const entries = (Array.isArray(doc.raw.workers) ? doc.raw.workers : []) as Entry[];
  const target = typeof args.target === 'string' ? args.target : undefined;
  const find = (what: string) => entries.findIndex((e) => labelOf(e) === what || urlOf(e) === what);
  switch (args.action) {
    case 'list': {
      const workers = entries.map((e) => ({ name: labelOf(e), url: urlOf(e), ...(e.dns ? { dns: e.dns } : {}), weight: typeof e.weight === 'number' ? e.weight : 1, key: typeof e.apiKey === 'string' && e.apiKey !== '' }));
      if (args.json === true) process.stdout.write(`${JSON.stringify({ workers }, null, 2)}\n`);
      else if (workers.length === 0) process.stdout.write(`no workers in ${doc.path}: plexbeam workers add URL --key KEY\n`);
      else for (const w of workers) process.stdout.write(`${w.name}\t${w.url}${w.dns ? ' (DNS pool: every address of the name)' : ''}\tweight ${w.weight}\t${w.key ? 'key set' : 'no key'}\n`);
      return 0;
    }
    case 'add': {
      if (target === undefined) return fail('workers add needs the worker URL, e.g. plexbeam workers add http://gpu-box:8765 --key KEY', EXIT_USAGE);
      const url = target.replace(/\/+$/, '');
      const apiKey = typeof args.key === 'string' ? args.key : '';
      const name = typeof args.name === 'string' ? args.name : '';
      if (typeof args.fingerprint === 'string' && !url.startsWith('https:')) return fail(`--fingerprint pins a certificate: the URL must be https://, got ${url}`, EXIT_USAGE);
      const entry: Entry = { url, ...(apiKey === '' ? {} : { apiKey }), ...(name === '' ? {} : { name }) };
      if (entries.some((e) => urlOf(e) === url)) return fail(`${url} is configured already (as ${labelOf(entries.find((e) => urlOf(e) === url)!)})`);
      if (find(labelOf(entry)) !== -1) return fail(`a worker named ${labelOf(entry)} is configured already: choose another --name`);
      // https: trust on first use, like ssh: the certificate shown now is pinned from here on.
      let fingerprint = '';
      if (url.startsWith('https:')) {
        try {
          fingerprint = await readCertificateFingerprint(new URL(url), AbortSignal.timeout(3000));
        } catch (error) {
          return fail(`not added: the worker at ${url} is unreachable: ${describeRequestError(error, 3000)}`);
        }
        // --fingerprint (install.sh prints it on the worker): the certificate must be that one.
        const expected = typeof args.fingerprint === 'string' ? normalizeFingerprint(args.fingerprint) : '';
        if (expected !== '' && fingerprint !== expected) return fail(`not added: the worker at ${url} shows a certificate with SHA-256 ${fingerprint}, not ${expected} (--fingerprint): another machine, or a new certificate?`);
        entry.fingerprint = fingerprint;
      }
      const check = await checkWorker(url, apiKey, readPackageVersion(), 3000, fingerprint);
      if (!check.ok) return fail(`not added: ${check.problem}`);
      writeConfigDocument(doc, { ...doc.raw, workers: [...entries, entry] });
      if (fingerprint !== '') process.stdout.write(`pinned its certificate, SHA-256 ${fingerprint} (compare: openssl x509 -noout -fingerprint -sha256 -in <worker.tlsCert> on the worker)\n`);
      process.stdout.write(`added ${labelOf(entry)} (${url}): ${check.health.hwaccel}, encoders ${check.health.encoders.join(', ')}, ${check.health.jobs.max} jobs at once, version ${check.health.version}\n`);
      for (const note of check.notes) process.stdout.write(`note: ${note}\n`);
      process.stdout.write(`${doc.path} rewritten (the previous one is ${doc.path}.bak); plexbeam-server probes it from its next round\n`);
      return 0;
    }
    case 'remove': {
      if (target === undefined) return fail('workers remove needs a worker name (see plexbeam workers list)', EXIT_USAGE);
      const index = find(target);
      if (index === -1) return fail(`no worker named ${target} in ${doc.path} (configured: ${entries.map(labelOf).join(', ') || 'none'})`);
      writeConfigDocument(doc, { ...doc.raw, workers: entries.filter((_e, i) => i !== index) });
      process.stdout.write(`removed ${target}; ${doc.path} rewritten (the previous one is ${doc.path}.bak)\n`);
      return 0;
    }
    case 'test': {
      if (target === undefined) return fail('workers test needs a worker name (see plexbeam workers list)', EXIT_USAGE);
      const entry = entries[find(target)];
      if (entry === undefined) return fail(`no worker named ${target} in ${doc.path} (configured: ${entries.map(labelOf).join(', ') || 'none'})`);
      const check = await checkWorker(urlOf(entry), entry.apiKey ?? '', readPackageVersion(), 3000, typeof entry.fingerprint === 'string' ? entry.fingerprint : '');
      if (!check.ok) return fail(`${labelOf(entry)}: ${check.problem}`);
      const h = check.health;
      process.stdout.write(`${labelOf(entry)} (${urlOf(entry)}) ok: key accepted, ${h.hwaccel}, encoders ${h.encoders.join(', ')}, jobs ${h.jobs.running}/${h.jobs.max} running, version ${h.version}\n`);
      for (const note of check.notes) process.stdout.write(`note: ${note}\n`);
      return 0;
    }
    default:
      return fail(`unknown action ${String(args.action)}`, EXIT_USAGE);
  }
}
