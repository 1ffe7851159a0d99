/** Removes every tc rule PlexBeam made on a device, and nothing else (the service's stop, uninstall). */
import type { TcState } from './tc-state.ts';
import type { TcRunner } from './tc-runner.ts';
import { ROOT_HANDLE, SERVER_CLASS, isClientClass, isOwnPref } from './tc-tree.ts';

/**
 * Deletes its filters and client classes; then its root, which gives the device its kernel default
 * back, unless classes or filters it did not make hang under that root. Returns one line per change.
 */
export async function removeOwnRules(tc: TcRunner, device: string, state: TcState): Promise<string[]> {
  const changes: string[] = [];
  const root = state.qdiscs.find((q) => q.root);
  if (root?.handle !== ROOT_HANDLE) return changes;
  const own = state.filters.filter((f) => f.parent === ROOT_HANDLE && isOwnPref(f.pref));
  for (const pref of new Set(own.map((f) => `${f.protocol} ${f.pref}`))) {
    const [protocol, number] = pref.split(' ') as [string, string];
    await tc.run(['filter', 'del', 'dev', device, 'parent', ROOT_HANDLE, 'protocol', protocol, 'pref', number]);
    changes.push(`removed the ${protocol} filters (pref ${number})`);
  }
  for (const cls of state.classes.filter((c) => isClientClass(c.classid))) {
    await tc.run(['class', 'del', 'dev', device, 'classid', cls.classid]);
    changes.push(`removed class ${cls.classid}`);
  }
  const foreignClasses = state.classes.filter((c) => c.classid !== SERVER_CLASS && !isClientClass(c.classid));
  const foreignFilters = state.filters.filter((f) => !isOwnPref(f.pref));
  if (foreignClasses.length === 0 && foreignFilters.length === 0) {
    await tc.run(['qdisc', 'del', 'dev', device, 'root']);
    changes.push(`removed the HTB root ${ROOT_HANDLE} from ${device}`);
  } else {
    changes.push(`kept the HTB root ${ROOT_HANDLE}: it holds ${foreignClasses.length} class(es) and ${foreignFilters.length} filter(s) PlexBeam did not make`);
  }
  return changes;
}
