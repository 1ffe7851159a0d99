/** The `shaper` config section checked beyond its schema: rates parsed, CIDRs and addresses parsed. */
import type { ShaperConfig } from '../core/config.ts';
import { PlexBeamError, describeValue } from '../core/errors.ts';
import { parseAddress, parseCidr, type Cidr } from './address.ts';
import { parseRate } from './rate.ts';

/** What the shaper works from, in bits per second and parsed addresses. */
export interface ShaperSettings {
  readonly interface: string;
  /** Server-wide ceiling, bits per second. */
  readonly ceilBits: number;
  /** Each client's rate and ceil, bits per second. */
  readonly perClientBits: number;
  /** Canonical address → that client's rate (and ceil), bits per second. */
  readonly overrides: ReadonlyMap<string, number>;
  readonly exempt: readonly Cidr[];
  /** Grace before a stopped or vanished client loses its class, in milliseconds. */
  readonly graceMs: number;
  readonly pmsUrl: string;
  readonly preferencesPath: string;
  readonly logPath: string;
}

/** Checks the section; throws CONFIG_INVALID naming the key ("expected …, got …"). */
export function readShaperSettings(config: ShaperConfig, options: { requireInterface?: boolean } = {}): ShaperSettings {
  const invalid = (key: string, what: string, value: unknown) =>
    new PlexBeamError('CONFIG_INVALID', `invalid config: \`shaper.${key}\`: expected ${what}, got ${describeValue(value)}`);
  const rate = (key: string, value: string) => {
    const bits = parseRate(value);
    if (bits === null) throw invalid(key, 'a rate in tc\'s notation such as `4mbit` or `500kbit`', value);
    return bits;
  };
  if (options.requireInterface && config.interface === '') throw invalid('interface', 'the egress interface to shape, e.g. `eth0`', config.interface);
  if (config.interface !== '' && !/^[\w.:@-]{1,15}$/.test(config.interface)) throw invalid('interface', 'an interface name', config.interface);
  const overrides = new Map<string, number>();
  config.overrides.forEach((entry, index) => {
    const address = parseAddress(entry.address);
    if (address === null) throw invalid(`overrides[${index}].address`, 'an IPv4 or IPv6 address', entry.address);
    overrides.set(address.text, rate(`overrides[${index}].rate`, entry.rate));
  });
  const exempt = config.exempt.map((text, index) => {
    const cidr = parseCidr(text);
    if (cidr === null) throw invalid(`exempt[${index}]`, 'a CIDR such as `10.0.0.0/8` or `fc00::/7`', text);
    return cidr;
  });
  let url: URL;
  try {
    url = new URL(config.pmsUrl);
  } catch {
    throw invalid('pmsUrl', 'an http(s) URL', config.pmsUrl);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('pmsUrl', 'an http(s) URL', config.pmsUrl);
  return {
    interface: config.interface,
    ceilBits: rate('ceil', config.ceil),
    perClientBits: rate('perClient', config.perClient),
    overrides,
    exempt,
    graceMs: config.grace * 1000,
    pmsUrl: config.pmsUrl.replace(/\/+$/, ''),
    preferencesPath: config.preferencesPath,
    logPath: config.logPath,
  };
}
