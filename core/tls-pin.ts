/**
 * Certificate pinning for `https:` workers (trust on first use, like ssh): `workers add` records
 * the SHA-256 fingerprint of the worker's certificate (`workers[].fingerprint`); every later
 * connection completes its TLS handshake, compares the certificate's fingerprint, and only then
 * sends a request (so a key never reaches an impostor). A self-signed certificate is the normal
 * case: the pin, not a CA, is the trust. The cartridge loads it by import() when a worker is pinned.
 */
import type { TLSSocket } from 'node:tls';
import { nodeTls } from './builtins.ts';

/** `AB:CD:…` (upper-case hex pairs, as Node's `fingerprint256`), from any spelling of the same hex. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/^sha256[:=]/i, '').replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? '';
}

/**
 * Connects to `url`'s host and port over TLS and resolves with the socket once its certificate is
 * the one pinned; rejects CERT_FINGERPRINT_MISMATCH otherwise. `onConnected` is called when the
 * TCP connection is up and the TLS hello has gone out (the cartridge parses meanwhile).
 */
export function connectPinned(url: URL, fingerprint: string, signal?: AbortSignal, onConnected?: () => void): Promise<TLSSocket> {
  return handshake(url, signal, onConnected).then((socket) => {
    const seen = socket.getPeerCertificate().fingerprint256 ?? '';
    if (seen === normalizeFingerprint(fingerprint)) return socket;
    socket.destroy();
    throw Object.assign(new Error(`certificate fingerprint mismatch: the worker shows SHA-256 ${seen}, ${normalizeFingerprint(fingerprint)} is recorded (a new certificate? then plexbeam workers remove and add it again)`), { code: 'CERT_FINGERPRINT_MISMATCH' });
  });
}

/** The SHA-256 fingerprint of the certificate the server at `url` shows (no request is sent). */
export async function readCertificateFingerprint(url: URL, signal?: AbortSignal): Promise<string> {
  const socket = await handshake(url, signal);
  const fingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
  socket.destroy();
  return fingerprint;
}

function handshake(url: URL, signal: AbortSignal | undefined, onConnected?: () => void): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const isAddress = /^[\d.]+$/.test(host) || host.includes(':');
    // Not verified against a CA: the fingerprint is checked instead, before anything is sent.
    // `ca: []`: no CA store either (loading the system's roots took about 5 ms of every play's start-up).
    const socket = nodeTls().connect({ host, port: Number(url.port || 443), rejectUnauthorized: false, ca: [], ALPNProtocols: ['http/1.1'], ...(isAddress ? {} : { servername: host }) });
    const onAbort = () => socket.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    // Node starts the handshake in its own 'connect' listener, registered before this one.
    if (onConnected !== undefined) socket.once('connect', onConnected);
    socket.once('secureConnect', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

// The pin registry lives in core/worker-pins.ts (light, on the cartridge's start-up path).
export { pinFor, registerPins } from './worker-pins.ts';
