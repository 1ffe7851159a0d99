/**
 * Reads a device's tc state. iproute2 6.1 (Debian 12) prints qdiscs as JSON, but HTB classes
 * only as text and u32 filters as JSON with repeated `match` keys (so IPv6 matches are lost):
 * classes and filters are therefore read from tc's text output.
 */
import { addressFromBytes } from './address.ts';
import { parseRate } from './rate.ts';
import type { TcRunner } from './tc-runner.ts';

/** A qdisc as `tc -j qdisc show` gives it. */
export interface TcQdisc {
  readonly kind: string;
  /** `7062:`; `0:` for a kernel-assigned default. */
  readonly handle: string;
  readonly root: boolean;
  readonly parent: string | null;
}

/** An HTB class. */
export interface TcClass {
  readonly classid: string;
  /** `null` for a class at the qdisc's root. */
  readonly parent: string | null;
  /** The handle of its leaf qdisc, when it has one. */
  readonly leaf: string | null;
  readonly rateBits: number;
  readonly ceilBits: number;
  /** Bytes sent through it (tc's statistics). */
  readonly bytes: number;
}

/** A u32 filter rule (not the hash-table lines tc also prints). */
export interface TcFilter {
  readonly parent: string;
  readonly protocol: string;
  readonly pref: number;
  /** `800::800`, the handle to delete it by. */
  readonly handle: string;
  readonly flowid: string | null;
  /** The destination address it matches, when it is a full-length dst match. */
  readonly address: string | null;
}

/** What one device holds. */
export interface TcState {
  readonly qdiscs: readonly TcQdisc[];
  readonly classes: readonly TcClass[];
  readonly filters: readonly TcFilter[];
}

/** Reads qdiscs, HTB classes (with statistics) and the filters attached at `filterParent`. */
export async function readTcState(tc: TcRunner, device: string, filterParent: string): Promise<TcState> {
  const qdiscs = (JSON.parse((await tc.run(['-j', 'qdisc', 'show', 'dev', device])) || '[]') as Record<string, unknown>[]).map(
    (q): TcQdisc => ({
      kind: String(q.kind),
      handle: String(q.handle),
      root: q.root === true,
      parent: typeof q.parent === 'string' ? q.parent : null,
    }),
  );
  const classes = parseClasses(await tc.run(['-s', 'class', 'show', 'dev', device]));
  const root = qdiscs.find((q) => q.root);
  const filters = root?.handle === filterParent ? parseFilters(await tc.run(['filter', 'show', 'dev', device, 'parent', filterParent]), filterParent) : [];
  return { qdiscs, classes, filters };
}

/** Parses `tc -s class show` text: HTB classes only. */
export function parseClasses(text: string): TcClass[] {
  const classes: TcClass[] = [];
  for (const block of blocks(text, 'class ')) {
    const head = block[0] as string;
    const m = /^class htb (\S+) (?:parent (\S+)|root)(?: leaf (\S+))?.*? rate (\S+) ceil (\S+)/.exec(head);
    if (m === null) continue;
    const sent = /Sent (\d+) bytes/.exec(block.join('\n'));
    classes.push({
      classid: m[1] as string,
      parent: m[2] ?? null,
      leaf: m[3] ?? null,
      rateBits: parseRate(m[4] as string) ?? 0,
      ceilBits: parseRate(m[5] as string) ?? 0,
      bytes: sent ? Number(sent[1]) : 0,
    });
  }
  return classes;
}

/** Parses `tc filter show` text (which omits `parent` when asked for one parent): u32 rules, dst decoded. */
export function parseFilters(text: string, parent: string): TcFilter[] {
  const filters: TcFilter[] = [];
  for (const block of blocks(text, 'filter ')) {
    const head = block[0] as string;
    const m = /^filter (?:parent (\S+) )?protocol (\S+) pref (\d+) u32 .*?\bfh (\S+::\S+)/.exec(head);
    if (m === null) continue;
    const flowid = /\*?(?:flowid|classid) (\S+)/.exec(head)?.[1] ?? null;
    const matches = block.slice(1).map((line) => /^\s*match ([0-9a-f]{8})\/([0-9a-f]{8}) at (\d+)/.exec(line)).filter((x) => x !== null);
    filters.push({ parent: m[1] ?? parent, protocol: m[2] as string, pref: Number(m[3]), handle: m[4] as string, flowid, address: dstAddress(m[2] as string, matches) });
  }
  return filters;
}

// IPv4 dst is the word at offset 16 of the IP header; IPv6 dst the four words at 24..36.
function dstAddress(protocol: string, matches: RegExpExecArray[]): string | null {
  const offsets = protocol === 'ip' ? [16] : protocol === 'ipv6' ? [24, 28, 32, 36] : [];
  if (offsets.length === 0 || matches.length !== offsets.length) return null;
  const bytes = new Uint8Array(offsets.length * 4);
  for (const [i, offset] of offsets.entries()) {
    const match = matches[i] as RegExpExecArray;
    if (match[2] !== 'ffffffff' || Number(match[3]) !== offset) return null;
    const word = parseInt(match[1] as string, 16);
    bytes.set([word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff], i * 4);
  }
  return addressFromBytes(bytes).text;
}

function blocks(text: string, start: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(start)) out.push([line]);
    else if (out.length > 0 && line.trim() !== '') (out[out.length - 1] as string[]).push(line);
  }
  return out;
}
