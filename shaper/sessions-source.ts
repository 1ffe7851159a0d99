/** Polls PMS's `/status/sessions` on loopback with the server token (sent as a header, never logged). */
import { PlexBeamError } from '../core/errors.ts';
import { parseSessionsXml, type PlexSession } from './sessions-xml.ts';

/** Something that says who is watching right now. */
export interface SessionsSource {
  /** The current sessions; throws when PMS cannot be asked (the caller keeps what it knew). */
  read(signal?: AbortSignal): Promise<PlexSession[]>;
}

/** Creates the PMS poller; `token` is fetched lazily (and again after a 401). */
export function createPmsSessionsSource(options: { pmsUrl: string; token: () => Promise<string>; timeoutMs?: number }): SessionsSource {
  let token: string | null = null;
  return {
    async read(signal) {
      token ??= await options.token();
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
      const response = await fetch(`${options.pmsUrl}/status/sessions`, {
        headers: { Accept: 'application/xml', 'X-Plex-Token': token },
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      const body = await response.text();
      if (response.status === 401) token = null;
      if (!response.ok) throw new PlexBeamError('IO', `Plex Media Server answered /status/sessions with HTTP ${response.status}`);
      return parseSessionsXml(body);
    },
  };
}
