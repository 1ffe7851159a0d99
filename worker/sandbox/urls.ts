/** Recognises URLs in ffmpeg arguments: which protocol, and whether they point at loopback (Plex's callbacks). */
import { isLoopbackHost } from '../../core/loopback.ts';

/** Every protocol an ffmpeg build may know (`ffmpeg -protocols`, all versions): a value starting `name:` is a URL. */
export const FFMPEG_PROTOCOLS: ReadonlySet<string> = new Set([
  'async', 'bluray', 'cache', 'concat', 'concatf', 'crypto', 'data', 'fd', 'ffrtmpcrypt', 'ffrtmphttp', 'file',
  'ftp', 'gopher', 'gophers', 'hls', 'http', 'httpproxy', 'https', 'icecast', 'ipfs', 'ipns', 'librist', 'librtmp',
  'librtmpe', 'librtmps', 'librtmpt', 'librtmpte', 'libsmbclient', 'libsrt', 'libssh', 'libzmq', 'md5', 'mmsh',
  'mmst', 'pipe', 'prompeg', 'rist', 'rtmp', 'rtmpe', 'rtmps', 'rtmpt', 'rtmpte', 'rtmpts', 'rtp', 'rtsp', 'rtsps',
  'sctp', 'sftp', 'smb', 'srt', 'srtp', 'subfile', 'tcp', 'tee', 'tls', 'udp', 'udplite', 'unix', 'zmq', 'amqp',
  'android_content', 'dtls', 'mms', 'sap', 'ws', 'wss',
]);

/** The protocol a value names (`concat:a|b` → `concat`), or null for a plain path or non-URL value. */
export function protocolOf(value: string): string | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value);
  if (match === null) return null;
  const scheme = (match[1] as string).toLowerCase();
  // `name://` is a URL whatever the name; a bare `name:` only when ffmpeg knows the protocol
  // (ffmpeg treats `foo:bar.mkv` as a file when no protocol is called `foo`).
  return FFMPEG_PROTOCOLS.has(scheme) || value.slice(match[0].length).startsWith('//') ? scheme : null;
}

export interface HttpUrlParts {
  /** `http://host:port`, without any user info. */
  origin: string;
  host: string;
  /** Path and query exactly as written (ffmpeg and Plex must see the same bytes), always starting with `/`. */
  rest: string;
}

/** Splits an http(s) URL by hand: a WHATWG parser would re-encode Plex's paths (`/video/:/…`). */
export function splitHttpUrl(value: string): HttpUrlParts | null {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/is.exec(value);
  if (match === null) return null;
  const scheme = (match[1] as string).toLowerCase();
  const authority = (match[2] as string).replace(/^.*@/s, '');
  let host: string;
  try {
    host = new URL(`${scheme}://${authority}/`).hostname;
  } catch {
    return null;
  }
  const rest = match[3] as string;
  return { origin: `${scheme}://${authority}`, host, rest: rest.startsWith('/') ? rest : `/${rest}` };
}

/** True for hosts that reach the machine itself (core/loopback.ts: the one decision every part uses). */
export { isLoopbackHost };

/** The loopback http URL's parts when `value` is one (a Plex callback), else null. */
export function loopbackHttpUrl(value: string): HttpUrlParts | null {
  const parts = splitHttpUrl(value);
  return parts !== null && isLoopbackHost(parts.host) ? parts : null;
}
