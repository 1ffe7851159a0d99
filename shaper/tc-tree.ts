/** PlexBeam's marks in tc: the fixed HTB handle, the server class, its filter prefs, its class range. */

/** The root qdisc handle PlexBeam owns (`pb` in ASCII); anything else on the device is foreign. */
export const ROOT_HANDLE = '7062:';
/** The server-wide class that holds the ceiling. */
export const SERVER_CLASS = '7062:1';
/** Filter prefs of PlexBeam's IPv4 and IPv6 rules. */
export const PREF_IPV4 = 4100;
export const PREF_IPV6 = 4101;
/** Client classes are `7062:1000` … `7062:fffe`; other minors under 7062: are left alone. */
export const FIRST_CLIENT_MINOR = 0x1000;
export const LAST_CLIENT_MINOR = 0xfffe;

/** True for a client classid in PlexBeam's range. */
export function isClientClass(classid: string): boolean {
  const m = /^7062:([0-9a-f]+)$/.exec(classid);
  if (m === null) return false;
  const minor = parseInt(m[1] as string, 16);
  return minor >= FIRST_CLIENT_MINOR && minor <= LAST_CLIENT_MINOR;
}

/** True for one of PlexBeam's filter prefs. */
export function isOwnPref(pref: number): boolean {
  return pref === PREF_IPV4 || pref === PREF_IPV6;
}

/** HTB's quantum for a rate: rate/10 in bytes, kept within what HTB accepts without warnings. */
export function quantumFor(bits: number): number {
  return Math.min(200_000, Math.max(1514, Math.round(bits / 80)));
}
