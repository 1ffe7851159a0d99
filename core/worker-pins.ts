/**
 * The cartridge's certificate pins, by origin (`workers[].fingerprint`): registered from the
 * config once, read by every request. Light, so that it stays on the start-up path while the
 * TLS code that checks a pin (core/tls-pin.ts) loads only when a pinned worker is reached.
 */
const pins = new Map<string, string>();

/** Records the fingerprint of every worker that has one (the cartridge, from `workers`). */
export function registerPins(workers: readonly { url: string; fingerprint?: string }[]): void {
  for (const worker of workers) {
    if (worker.fingerprint === undefined || worker.fingerprint === '') continue;
    try {
      pins.set(new URL(worker.url).origin, worker.fingerprint);
    } catch {
      // not a URL: nothing to pin
    }
  }
}

/** The fingerprint pinned for `url`'s origin, if any. */
export function pinFor(url: URL): string | undefined {
  return url.protocol === 'https:' ? pins.get(url.origin) : undefined;
}
