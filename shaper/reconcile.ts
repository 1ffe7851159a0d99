/**
 * Reconciles the device's tc state with the desired classes: reads what is there, applies only the
 * difference, adopts PlexBeam's own rules left by an earlier run, never touches anything foreign.
 */
import { PlexBeamError } from '../core/errors.ts';
import type { DesiredClass } from './desired.ts';
import { sameRate } from './rate.ts';
import { readTcState, type TcClass, type TcFilter, type TcState } from './tc-state.ts';
import type { TcRunner } from './tc-runner.ts';
import { removeOwnRules } from './teardown.ts';
import { FIRST_CLIENT_MINOR, LAST_CLIENT_MINOR, PREF_IPV4, PREF_IPV6, ROOT_HANDLE, SERVER_CLASS, isClientClass, isOwnPref, quantumFor } from './tc-tree.ts';

/** A client class as applied on the device. */
export interface AppliedClass {
  readonly address: string;
  readonly classid: string;
  readonly rateBits: number;
  readonly ceilBits: number;
  /** Bytes sent through it so far (tc's statistics). */
  readonly bytes: number;
}

/** The outcome of one reconcile. */
export interface ReconcileResult {
  /** One line per change made (empty when the device already matched). */
  readonly changes: readonly string[];
  readonly applied: readonly AppliedClass[];
}

/** Keeps one device's tree. */
export interface Reconciler {
  /** Makes the device match; throws SHAPER_INTERFACE for a foreign root qdisc, SHAPER_TC when tc fails. */
  reconcile(desired: readonly DesiredClass[], ceilBits: number): Promise<ReconcileResult>;
  /** Removes every rule PlexBeam made on the device, and nothing else. */
  teardown(): Promise<readonly string[]>;
  /** The client classes on the device now (for status). */
  applied(): Promise<readonly AppliedClass[]>;
}

export interface ReconcilerDeps {
  tc: TcRunner;
  device: string;
  /** Leaf qdisc kinds to try, in order (default fq_codel, then pfifo for kernels without it). */
  leafKinds?: readonly string[];
}

/** Creates the reconciler for one device. */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { tc, device } = deps;
  let leafKinds = [...(deps.leafKinds ?? ['fq_codel', 'pfifo'])];

  const read = async (): Promise<TcState> => {
    try {
      return await readTcState(tc, device, ROOT_HANDLE);
    } catch (error) {
      if (/Cannot find device/i.test((error as Error).message)) {
        throw new PlexBeamError('SHAPER_INTERFACE', `shaper.interface: there is no network interface ${device}`, { cause: error });
      }
      throw error;
    }
  };

  async function addLeaf(classid: string): Promise<string> {
    for (const [index, kind] of leafKinds.entries()) {
      try {
        await tc.run(['qdisc', 'add', 'dev', device, 'parent', classid, kind]);
        leafKinds = leafKinds.slice(index);
        return kind;
      } catch (error) {
        // A kernel without sch_fq_codel says "Specified qdisc kind is unknown": try the next kind.
        if (index === leafKinds.length - 1 || !/unknown/i.test((error as Error).message)) throw error;
      }
    }
    throw new PlexBeamError('SHAPER_TC', 'no leaf qdisc kind to try');
  }

  const htbArgs = (rateBits: number, ceilBits: number) => ['htb', 'rate', `${rateBits}bit`, 'ceil', `${ceilBits}bit`, 'quantum', String(quantumFor(rateBits))];

  function appliedFrom(state: TcState): AppliedClass[] {
    const classes = new Map(state.classes.map((c) => [c.classid, c]));
    const out: AppliedClass[] = [];
    for (const filter of ownFilters(state)) {
      const cls = filter.flowid === null ? undefined : classes.get(filter.flowid);
      if (filter.address === null || cls === undefined || !isClientClass(cls.classid)) continue;
      if (out.some((a) => a.address === filter.address)) continue;
      out.push({ address: filter.address, classid: cls.classid, rateBits: cls.rateBits, ceilBits: cls.ceilBits, bytes: cls.bytes });
    }
    return out.sort((a, b) => a.address.localeCompare(b.address));
  }

  return {
    async reconcile(desired, ceilBits) {
      const changes: string[] = [];
      let state = await read();
      const root = state.qdiscs.find((q) => q.root);
      if (root === undefined || root.handle !== ROOT_HANDLE || root.kind !== 'htb') {
        // Only the kernel's own default root (handle 0:) is ours to replace; a configured one is not.
        if (root !== undefined && root.handle !== '0:') {
          throw new PlexBeamError('SHAPER_INTERFACE', `${device} already has a ${root.kind} root qdisc (handle ${root.handle}) that PlexBeam did not make; remove it or shape another interface`);
        }
        await tc.run(['qdisc', 'replace', 'dev', device, 'root', 'handle', ROOT_HANDLE, 'htb', 'default', '0']);
        changes.push(`added the HTB root ${ROOT_HANDLE} on ${device}`);
        state = await read();
      }
      const server = state.classes.find((c) => c.classid === SERVER_CLASS);
      if (server === undefined) {
        await tc.run(['class', 'add', 'dev', device, 'parent', ROOT_HANDLE, 'classid', SERVER_CLASS, ...htbArgs(ceilBits, ceilBits)]);
        changes.push(`added the server class ${SERVER_CLASS} (ceil ${ceilBits} bit/s)`);
      } else if (!sameRate(server.rateBits, ceilBits) || !sameRate(server.ceilBits, ceilBits)) {
        await tc.run(['class', 'change', 'dev', device, 'parent', ROOT_HANDLE, 'classid', SERVER_CLASS, ...htbArgs(ceilBits, ceilBits)]);
        changes.push(`changed the server class ${SERVER_CLASS} to ceil ${ceilBits} bit/s`);
      }

      const wanted = new Map(desired.map((d) => [d.address, d]));
      const classes = new Map(state.classes.map((c) => [c.classid, c]));
      const kept = new Map<string, string>(); // address → classid
      // Filters first: a filter for an address no longer wanted, or a second one for the same address, goes.
      for (const filter of ownFilters(state)) {
        const address = filter.address;
        const valid = address !== null && filter.flowid !== null && isClientClass(filter.flowid);
        if (valid && wanted.has(address) && !kept.has(address)) {
          kept.set(address, filter.flowid as string);
          continue;
        }
        await tc.run(['filter', 'del', 'dev', device, 'parent', ROOT_HANDLE, 'protocol', filter.protocol, 'pref', String(filter.pref), 'handle', filter.handle, 'u32']);
        changes.push(`removed the filter for ${address ?? filter.handle}`);
      }
      const inUse = new Set(kept.values());
      for (const cls of state.classes) {
        if (!isClientClass(cls.classid) || inUse.has(cls.classid)) continue;
        await tc.run(['class', 'del', 'dev', device, 'classid', cls.classid]);
        classes.delete(cls.classid);
        changes.push(`removed class ${cls.classid}`);
      }
      for (const want of desired) {
        let classid = kept.get(want.address);
        const existing: TcClass | undefined = classid === undefined ? undefined : classes.get(classid);
        if (classid === undefined) classid = freeClassid(classes);
        if (existing === undefined) {
          await tc.run(['class', 'add', 'dev', device, 'parent', SERVER_CLASS, 'classid', classid, ...htbArgs(want.rateBits, want.ceilBits)]);
          classes.set(classid, { classid, parent: SERVER_CLASS, leaf: null, rateBits: want.rateBits, ceilBits: want.ceilBits, bytes: 0 });
          const leaf = await addLeaf(classid);
          changes.push(`added class ${classid} for ${want.address} (rate ${want.rateBits} bit/s, ceil ${want.ceilBits} bit/s, ${leaf})`);
        } else {
          if (!sameRate(existing.rateBits, want.rateBits) || !sameRate(existing.ceilBits, want.ceilBits)) {
            await tc.run(['class', 'change', 'dev', device, 'parent', SERVER_CLASS, 'classid', classid, ...htbArgs(want.rateBits, want.ceilBits)]);
            changes.push(`changed class ${classid} for ${want.address} to rate ${want.rateBits} bit/s, ceil ${want.ceilBits} bit/s`);
          }
          if (existing.leaf === null) changes.push(`added a ${await addLeaf(classid)} leaf to ${classid}`);
        }
        if (!kept.has(want.address)) {
          const v6 = want.address.includes(':');
          await tc.run([
            'filter', 'add', 'dev', device, 'parent', ROOT_HANDLE, 'protocol', v6 ? 'ipv6' : 'ip', 'pref', String(v6 ? PREF_IPV6 : PREF_IPV4),
            'u32', 'match', v6 ? 'ip6' : 'ip', 'dst', `${want.address}/${v6 ? 128 : 32}`, 'classid', classid,
          ]);
          changes.push(`added the filter ${want.address} → ${classid}`);
        }
      }
      return { changes, applied: changes.length === 0 ? appliedFrom(state) : appliedFrom(await read()) };
    },

    async teardown() {
      let state: TcState;
      try {
        state = await read();
      } catch (error) {
        if ((error as PlexBeamError).code === 'SHAPER_INTERFACE') return [];
        throw error;
      }
      return removeOwnRules(tc, device, state);
    },

    async applied() {
      return appliedFrom(await read());
    },
  };
}

function ownFilters(state: TcState): TcFilter[] {
  return state.filters.filter((f) => f.parent === ROOT_HANDLE && isOwnPref(f.pref));
}

function freeClassid(classes: ReadonlyMap<string, TcClass>): string {
  for (let minor = FIRST_CLIENT_MINOR; minor <= LAST_CLIENT_MINOR; minor++) {
    const classid = `7062:${minor.toString(16)}`;
    if (!classes.has(classid)) return classid;
  }
  throw new PlexBeamError('SHAPER_TC', 'no free class id left under 7062:');
}
