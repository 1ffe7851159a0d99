/** The tc state the shaper wants: one class per shaped client address, within the server ceiling. */
import { cidrContains, parseAddress } from './address.ts';
import type { ShaperSettings } from './settings.ts';

/** One client class as wanted. */
export interface DesiredClass {
  readonly address: string;
  /** Guaranteed rate, bits per second. */
  readonly rateBits: number;
  /** What it may borrow up to, bits per second. */
  readonly ceilBits: number;
}

/** True when `address` falls in one of the `exempt` CIDRs (those are never shaped). */
export function isExempt(address: string, settings: Pick<ShaperSettings, 'exempt'>): boolean {
  const parsed = parseAddress(address);
  return parsed === null || settings.exempt.some((cidr) => cidrContains(cidr, parsed));
}

/**
 * The classes for these addresses. HTB lets a child send at its own rate whatever its parent
 * has left, so the rates are scaled down to share the server ceiling (the ceils stay as
 * configured: a client may borrow what the others leave unused).
 */
export function desiredClasses(addresses: readonly string[], settings: ShaperSettings): DesiredClass[] {
  const shaped = [...new Set(addresses)].filter((address) => !isExempt(address, settings)).sort();
  const wanted = shaped.map((address) => ({ address, bits: settings.overrides.get(address) ?? settings.perClientBits }));
  const total = wanted.reduce((sum, entry) => sum + entry.bits, 0);
  const scale = total > settings.ceilBits ? settings.ceilBits / total : 1;
  return wanted.map(({ address, bits }) => ({
    address,
    rateBits: Math.max(8000, Math.floor((bits * scale) / 1000) * 1000),
    ceilBits: Math.min(bits, settings.ceilBits),
  }));
}
