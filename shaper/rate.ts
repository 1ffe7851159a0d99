/** tc's rate notation (`4mbit`, `500kbps`, `1gibit`) to bits per second and back. */

const UNITS: Readonly<Record<string, number>> = {
  '': 1, bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12,
  kibit: 2 ** 10, mibit: 2 ** 20, gibit: 2 ** 30, tibit: 2 ** 40,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9, tbps: 8e12,
  kibps: 8 * 2 ** 10, mibps: 8 * 2 ** 20, gibps: 8 * 2 ** 30, tibps: 8 * 2 ** 40,
};

/** Parses a rate as tc(8) reads it (a bare number is bits per second); null when malformed. */
export function parseRate(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(text.trim());
  if (match === null) return null;
  const unit = UNITS[(match[2] as string).toLowerCase()];
  if (unit === undefined) return null;
  const bits = Math.round(Number(match[1]) * unit);
  return bits > 0 ? bits : null;
}

/** Formats bits per second for tc and for people: `4mbit`, `1500kbit`, `800bit`. */
export function formatRate(bits: number): string {
  if (bits >= 1e6 && bits % 1e6 === 0) return `${bits / 1e6}mbit`;
  if (bits >= 1e3 && bits % 1e3 === 0) return `${bits / 1e3}kbit`;
  return `${Math.round(bits)}bit`;
}

/** True when two rates are equal within tc's rounding (it stores bytes per second). */
export function sameRate(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(8, Math.max(a, b) * 0.005);
}
