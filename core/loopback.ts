/**
 * The one decision of what "loopback" means, for the argv parser (which URLs are Plex's
 * callbacks), the cartridge (where it may replay them), the worker's sandbox (inputs it must
 * refuse) and analyze (inputs a worker cannot reach). A host is loopback when connecting to it
 * reaches the machine itself: `localhost` and `*.localhost`, 127/8, 0.0.0.0, `::1`, `::` and
 * IPv4-mapped forms of those, written any way the resolver reads them (`127.1`, `0x7f.0.0.1`,
 * `2130706433`, `[0:0:0:0:0:0:0:1]`, a trailing dot). Light: on the cartridge's start-up path.
 */

const URL_HOST = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)/i;

/** One part of an IPv4 address as inet_aton reads it: decimal, 0x hex or 0-led octal. */
function ipv4Part(part: string): number {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return Number.parseInt(part, 8);
  if (/^[1-9][0-9]*$/.test(part)) return Number(part);
  return Number.NaN;
}

/** The 32-bit value of an IPv4 address in any form getaddrinfo accepts (1 to 4 parts), or null. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const values = parts.map(ipv4Part);
  if (values.some((v) => !Number.isFinite(v))) return null;
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  return values.reduce((sum, v, i) => sum + v * 2 ** (24 - 8 * i), 0) + last;
}

/** The eight 16-bit groups of an IPv6 address (an IPv4 tail and a `%zone` allowed), or null. */
export function parseIpv6(text: string): number[] | null {
  let rest = text.replace(/%.*$/, '');
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (v4 !== null) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(v4[2] as string)) return null;
    const value = parseIpv4(v4[2] as string);
    if (value === null) return null;
    tail = [Math.floor(value / 65536), value % 65536];
    rest = (v4[1] as string).endsWith('::') ? (v4[1] as string) : (v4[1] as string).slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] as string);
  const back = halves.length === 2 ? groups(halves[1] as string) : [];
  if ([...head, ...back].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const known = head.length + back.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head.map((g) => Number.parseInt(g, 16)), ...(halves.length === 2 ? zeros : []), ...back.map((g) => Number.parseInt(g, 16)), ...tail];
}

/** True for an IPv4 value that reaches this machine: 127/8 or 0.0.0.0. */
function isLoopbackIpv4(value: number): boolean {
  return Math.floor(value / 2 ** 24) === 127 || value === 0;
}

/** True when connecting to `host` (a URL's host: brackets, case and a trailing dot allowed) reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (bare.includes(':')) {
    const groups = parseIpv6(bare);
    if (groups === null) return false;
    const high = groups.slice(0, 5).every((g) => g === 0);
    const v4 = (groups[6] as number) * 65536 + (groups[7] as number);
    // ::1 and ::, IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) loopback.
    return high && (groups[5] === 0xffff || groups[5] === 0) && (groups[5] === 0 ? v4 <= 1 || isLoopbackIpv4(v4) : isLoopbackIpv4(v4));
  }
  const value = parseIpv4(bare);
  return value !== null && isLoopbackIpv4(value);
}

/** True for an http(s) URL whose host is loopback (Plex calling home; the worker cannot reach it). */
export function isLoopbackUrl(url: string): boolean {
  const match = URL_HOST.exec(url);
  return match !== null && /^https?$/i.test(match[1] as string) && isLoopbackHost(match[2] as string);
}
