/**
 * Plex's answers to captured callbacks, posted back by the cartridge (`POST /jobs/:id/callback-replies`).
 * The capture server holds a request's response until its answer comes, so whoever asked (ffmpeg,
 * or the worker's own Plex progress reporter waiting for `canThrottle`) hears what Plex said.
 */

export interface CallbackReply {
  status: number;
  contentType: string | null;
  body: Buffer;
}

export interface ReplyBox {
  /** Resolves with the answer to callback `seq`, or null after `timeoutMs`. */
  wait(seq: number, timeoutMs: number): Promise<CallbackReply | null>;
  /** Delivers an answer; false when nobody waits for it (late, or unknown). */
  settle(seq: number, reply: CallbackReply): boolean;
}

/** Creates the reply box of one job. */
export function createReplyBox(): ReplyBox {
  const waiting = new Map<number, (reply: CallbackReply | null) => void>();
  return {
    wait(seq, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(seq);
          resolve(null);
        }, timeoutMs);
        waiting.set(seq, (reply) => {
          clearTimeout(timer);
          waiting.delete(seq);
          resolve(reply);
        });
      });
    },
    settle(seq, reply) {
      const resolve = waiting.get(seq);
      resolve?.(reply);
      return resolve !== undefined;
    },
  };
}
