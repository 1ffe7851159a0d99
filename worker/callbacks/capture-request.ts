/**
 * How the worker's own Plex requests (segment lists and manifests from the publishers, the
 * progress reporter's PUTs) reach Plex: through the job's capture server, exactly like ffmpeg's,
 * so they travel over the link in order and the answer is Plex's, relayed by the cartridge.
 */
import { PlexBeamError } from '../../core/errors.ts';
import type { RequestFn } from '../translate/post/index.ts';

/** Sends to URLs under `base` (the job's capture prefix) only; anything else would leave the worker. */
export function createCaptureRequest(base: string, timeoutMs = 10_000): RequestFn {
  return async (method, url, body) => {
    if (!url.startsWith(base)) throw new PlexBeamError('WORKER_FORBIDDEN', "the job's own requests only go to its capture server");
    const res = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body }) });
    return { status: res.status, body: await res.text() };
  };
}
