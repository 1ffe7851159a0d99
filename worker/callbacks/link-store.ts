/**
 * Every job's link, with one bound on the bytes they keep together: a finished link gives its
 * messages back as soon as a reader has had them all (link.ts), and when the total goes over
 * the bound the links of ended jobs are emptied first, oldest ended first, then the biggest
 * buffers of running jobs are trimmed (a reattach then starts with a `gap`).
 */
import { createJobLink, type JobLink, type JobLinkOptions } from './link.ts';

/** Default bound of all links together, in bytes (64 MiB: eight running jobs' full 8 MiB buffers). */
export const LINK_STORE_BYTES = 64 << 20;

export interface LinkStore {
  /** Creates a link whose kept messages count towards the store's bound. */
  create(options: Omit<JobLinkOptions, 'onRetained' | 'onReadToEnd'>): JobLink;
  /** Bytes kept by all links now. */
  readonly bytes: number;
  readonly maxBytes: number;
}

/** Creates the store; `maxBytes` bounds what all its links keep. */
export function createLinkStore({ maxBytes = LINK_STORE_BYTES }: { maxBytes?: number } = {}): LinkStore {
  // Insertion order of `ended` is the order the jobs ended in.
  const ended = new Set<JobLink>();
  const running = new Set<JobLink>();
  let total = 0;
  let enforcing = false;

  const enforce = () => {
    if (enforcing) return;
    enforcing = true;
    try {
      for (const link of ended) {
        if (total <= maxBytes) break;
        link.shed(0);
      }
      while (total > maxBytes) {
        let biggest: JobLink | undefined;
        for (const link of running) if (biggest === undefined || link.retainedBytes > biggest.retainedBytes) biggest = link;
        if (biggest === undefined || biggest.retainedBytes === 0) break;
        const before = biggest.retainedBytes;
        biggest.shed(Math.max(0, before - (total - maxBytes)));
        if (biggest.retainedBytes === before) break; // only its last message is left
      }
    } finally {
      enforcing = false;
    }
  };

  return {
    create(options) {
      const link = createJobLink({
        ...options,
        onRetained(delta) {
          total += delta;
          if (delta > 0) enforce();
        },
      });
      running.add(link);
      return {
        ...link,
        get attached() {
          return link.attached;
        },
        get retainedBytes() {
          return link.retainedBytes;
        },
        get finished() {
          return link.finished;
        },
        finish(message) {
          link.finish(message);
          running.delete(link);
          ended.add(link);
          enforce();
        },
        close() {
          link.close();
          running.delete(link);
          ended.delete(link);
        },
      };
    },
    get bytes() {
      return total;
    },
    maxBytes,
  };
}
