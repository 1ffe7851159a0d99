// deploy/kubernetes/*.json (kubectl reads JSON manifests as it reads YAML): the worker DaemonSet,
// its headless Service, Secret and ConfigMap agree on names, labels, ports, keys and probe paths,
// and the config the ConfigMap carries is one the worker accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { validateConfig } from '../../core/config.ts';
import { repoRoot } from '../harness/index.ts';

const dir = join(repoRoot(), 'deploy/kubernetes');
const manifests = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, doc: JSON.parse(readFileSync(join(dir, name), 'utf8')) as any }));
const byKind = (kind: string) => {
  const found = manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};
const namespace = byKind('Namespace');
const secret = byKind('Secret');
const configMap = byKind('ConfigMap');
const daemonSet = byKind('DaemonSet');
const service = byKind('Service');
const pod = daemonSet.spec.template.spec;
const container = pod.containers.find((c: any) => c.name === 'worker');

/** True when every label of `selector` is on `labels`. */
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

t.test('every object in the one namespace, applied in file order after it', async (t) => {
  t.equal(manifests[0]?.doc.kind, 'Namespace', 'the namespace comes first (00-)');
  for (const { name, doc } of manifests.slice(1)) t.equal(doc.metadata.namespace, namespace.metadata.name, `${name} in ${namespace.metadata.name}`);
  for (const { name, doc } of manifests) t.ok(typeof doc.apiVersion === 'string' && typeof doc.metadata?.name === 'string', `${name}: apiVersion, kind, metadata.name`);
});

t.test('the DaemonSet selects its own pods, on GPU nodes, with requests', async (t) => {
  const labels = daemonSet.spec.template.metadata.labels;
  t.ok(selects(daemonSet.spec.selector.matchLabels, labels), 'spec.selector matches the pod template labels');
  t.ok(Object.keys(pod.nodeSelector ?? {}).length > 0, `a nodeSelector: ${JSON.stringify(pod.nodeSelector)}`);
  t.ok(container, 'a container named worker');
  t.same(container.args, ['worker'], 'runs plexbeam worker');
  t.ok(container.resources.requests.cpu && container.resources.requests.memory, 'cpu and memory requests');
  t.ok(container.resources.limits['nvidia.com/gpu'], 'a GPU');
  t.ok(pod.securityContext.runAsNonRoot, 'non-root');
  t.equal(pod.securityContext.runAsUser, 8765, "the image's user (Containerfile)");
  t.ok(pod.terminationGracePeriodSeconds >= 30, 'time to drain on SIGTERM');
});

t.test('ports, probes and the headless Service agree', async (t) => {
  const config = validateConfig(JSON.parse(configMap.data['config.json']), 'ConfigMap plexbeam-worker') as any;
  const port = container.ports.find((p: any) => p.name === 'http');
  t.equal(port?.containerPort, config.worker.port, "the container port is the config's worker.port");
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    t.equal(container[probe].httpGet.path, '/health', `${probe} on /health`);
    t.ok([port.name, port.containerPort].includes(container[probe].httpGet.port), `${probe} on the worker's port`);
  }
  t.equal(service.spec.clusterIP, 'None', 'headless: DNS answers every ready pod (a workers DNS pool)');
  t.ok(selects(service.spec.selector, daemonSet.spec.template.metadata.labels), "the Service selects the DaemonSet's pods");
  const servicePort = service.spec.ports[0];
  t.equal(servicePort.port, config.worker.port);
  t.ok([port.name, port.containerPort].includes(servicePort.targetPort), 'targetPort names the container port');
});

t.test('the API key from the Secret, the config from the ConfigMap', async (t) => {
  const keyEnv = container.env.find((e: any) => e.name === 'PLEXBEAM_API_KEY');
  t.equal(keyEnv?.valueFrom.secretKeyRef.name, secret.metadata.name);
  t.ok(keyEnv.valueFrom.secretKeyRef.key in secret.stringData, `the Secret has key ${keyEnv.valueFrom.secretKeyRef.key}`);
  t.match(readFileSync(join(repoRoot(), 'deploy/container/env-config.mjs'), 'utf8'), /PLEXBEAM_API_KEY/, "a variable the image's entrypoint reads");
  const volumes = new Map(pod.volumes.map((v: any) => [v.name, v]));
  for (const mount of container.volumeMounts) t.ok(volumes.has(mount.name), `volume ${mount.name} exists`);
  const configMount = container.volumeMounts.find((m: any) => m.mountPath === '/etc/plexbeam/config.json');
  const configVolume = volumes.get(configMount?.name) as any;
  t.equal(configVolume?.configMap.name, configMap.metadata.name, 'the config file comes from the ConfigMap');
  t.ok(configMount.subPath in configMap.data, `the ConfigMap has ${configMount.subPath}`);
  const config = JSON.parse(configMap.data['config.json']);
  const mounted = container.volumeMounts.map((m: any) => m.mountPath);
  for (const root of [...config.worker.mediaRoots, ...config.worker.transcodeRoots]) t.ok(mounted.includes(root), `${root} is mounted`);
});
