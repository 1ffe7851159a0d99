/** Points Plex's loopback callback URLs at the worker's capture server. */
import { loopbackHttpUrl } from '../sandbox/urls.ts';
import { CALLBACK_PREFIX } from './capture.ts';

export interface CallbackRewriter {
  /**
   * `http://127.0.0.1:32400/x?y` → `http://127.0.0.1:<port>/cb/<job>/<token>/<origin>/x?y`.
   * ffmpeg runs on the worker, so its loopback reaches the capture server; path and query stay
   * byte for byte. Non-loopback and already rewritten URLs come back unchanged, so the
   * translation may rewrite URLs first (its `callbackBase`) and the sandbox after it.
   */
  rewrite(url: string): string;
  /** Distinct Plex origins, by the index written into the rewritten URLs. */
  readonly origins: readonly string[];
}

/** Creates the rewriter of one job. */
export function createCallbackRewriter(target: { port: number; jobId: string; token: string }): CallbackRewriter {
  const origins: string[] = [];
  const base = `http://127.0.0.1:${target.port}${CALLBACK_PREFIX}/${target.jobId}/${target.token}/`;
  return {
    origins,
    rewrite(url) {
      const parts = url.startsWith(base) ? null : loopbackHttpUrl(url);
      if (parts === null) return url;
      let index = origins.indexOf(parts.origin);
      if (index === -1) index = origins.push(parts.origin) - 1;
      return `${base}${index}${parts.rest}`;
    },
  };
}
