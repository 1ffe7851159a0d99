/** IPv4/IPv6 addresses as bytes, CIDR matching and a canonical text form. */
import { isIP } from 'node:net';

/** An address in its canonical text form, with its family and bytes. */
export interface IpAddress {
  readonly text: string;
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A CIDR block, e.g. `10.0.0.0/8` or `fc00::/7`. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Parses an address (`::ffff:a.b.c.d` becomes IPv4; a `%zone` is dropped); null when not one. */
export function parseAddress(input: string): IpAddress | null {
  let text = input.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1] as string;
  const family = isIP(text);
  if (family === 4) {
    const bytes = Uint8Array.from(text.split('.').map(Number));
    return { text: [...bytes].join('.'), family, bytes };
  }
  if (family === 6) {
    const bytes = ipv6Bytes(text);
    return { text: formatIpv6(bytes), family, bytes };
  }
  return null;
}

/** Parses `addr/prefix` (a bare address is a /32 or /128); null when malformed. */
export function parseCidr(input: string): Cidr | null {
  const [addr, prefixText, extra] = input.trim().split('/');
  if (addr === undefined || extra !== undefined) return null;
  const parsed = parseAddress(addr);
  if (parsed === null) return null;
  const max = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { family: parsed.family, bytes: parsed.bytes, prefix };
}

/** True when `address` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.family !== address.family) return false;
  for (let bit = 0; bit < cidr.prefix; bit += 8) {
    const take = Math.min(8, cidr.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((cidr.bytes[bit / 8] as number) & mask) !== ((address.bytes[bit / 8] as number) & mask)) return false;
  }
  return true;
}

/** Builds an address from bytes (the form tc prints u32 matches in). */
export function addressFromBytes(bytes: Uint8Array): IpAddress {
  if (bytes.length === 4) return { text: [...bytes].join('.'), family: 4, bytes };
  return { text: formatIpv6(bytes), family: 6, bytes };
}

function ipv6Bytes(text: string): Uint8Array {
  let source = text;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (v4) {
    const [a, b, c, d] = (v4[1] as string).split('.').map(Number) as [number, number, number, number];
    source = `${source.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = source.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

// RFC 5952: lowercase, no leading zeros, the longest run (>= 2) of zero groups as `::`.
function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number)));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}
