/** Points Plex's loopback callback URLs at the worker's capture server. */
import { loopbackHttpUrl, splitHttpUrl, type HttpUrlParts } from '../sandbox/urls.ts';
import { CALLBACK_PREFIX } from './capture.ts';

export interface CallbackRewriter {
  /**
   * `http://127.0.0.1:32400/x?y` → `http://127.0.0.1:<port>/cb/<job>/<token>/<origin>/x?y`.
   * ffmpeg runs on the worker, so its loopback reaches the capture server; path and query stay
   * byte for byte. Non-loopback and already rewritten URLs come back unchanged, so the
   * translation may rewrite URLs first (its `callbackBase`) and the sandbox after it.
   */
  rewrite(url: string): string;
  /**
   * Like `rewrite`, for any http(s) URL: Plex's `-progressurl`, which older Plex versions give
   * with their LAN address. The worker's own requests (never ffmpeg's) use it; null when not http(s).
   */
  capture(url: string): string | null;
  /** `http://127.0.0.1:<port>/cb/<job>/<token>/`: every URL of this job's capture starts so. */
  readonly base: string;
  /** Distinct Plex origins, by the index written into the rewritten URLs. */
  readonly origins: readonly string[];
}

/** Creates the rewriter of one job. */
export function createCallbackRewriter(target: { port: number; jobId: string; token: string }): CallbackRewriter {
  const origins: string[] = [];
  const base = `http://127.0.0.1:${target.port}${CALLBACK_PREFIX}/${target.jobId}/${target.token}/`;
  const toCapture = (parts: HttpUrlParts): string => {
    let index = origins.indexOf(parts.origin);
    if (index === -1) index = origins.push(parts.origin) - 1;
    return `${base}${index}${parts.rest}`;
  };
  return {
    base,
    origins,
    rewrite(url) {
      const parts = url.startsWith(base) ? null : loopbackHttpUrl(url);
      return parts === null ? url : toCapture(parts);
    },
    capture(url) {
      if (url.startsWith(base)) return url;
      const parts = splitHttpUrl(url);
      return parts === null ? null : toCapture(parts);
    },
  };
}
