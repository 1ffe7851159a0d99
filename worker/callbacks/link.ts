/**
 * A job's link to its cartridge: a long-lived response carrying newline-delimited JSON messages
 * (`GET /jobs/:id/link`). Messages are numbered and kept until a size cap, so a link that drops
 * and reopens with `?after=<id>` loses nothing; a link that stays closed too long kills the job.
 * Once a finished link has been written to its end, its messages are released (link-store.ts
 * also bounds what all links keep together).
 */
import type { ServerResponse } from 'node:http';

/** One message; `type` says what it is (docs/WORKER.md lists them), so new kinds fit later. */
export type LinkMessage = { type: string } & Record<string, unknown>;

export interface JobLinkOptions {
  /** How long a closed link may stay closed before `onLost` (the job is then killed). */
  graceMs: number;
  /** Messages kept for replay, in bytes; older ones are dropped (a `gap` message says so). */
  retainBytes: number;
  /** A cartridge that reads this slowly is cut off (its link is then "lost"). */
  maxBufferedBytes: number;
  pingMs: number;
  /** The first message of every attach. */
  hello(): LinkMessage;
  onLost(): void;
  /** Told every change of what the link keeps, in bytes (+ when a message is kept, - when dropped). */
  onRetained?(delta: number): void;
  /** How long a finished link's connection must stay healthy after its last byte before the messages go (default 1 s). */
  releaseAfterMs?: number;
  /** Told once a reader has had a finished link's every message (they are then released). */
  onReadToEnd?(): void;
}

export interface JobLink {
  /** True while a cartridge holds the link open. */
  readonly attached: boolean;
  /** Numbers and queues a message; writes it at once when a link is open. */
  send(message: LinkMessage): void;
  /** Serves the link on `res`, replacing any open one; replays what came after `afterId`. */
  attach(res: ServerResponse, afterId: number): void;
  /** Sends the last message and ends the link; later attaches replay and end. */
  finish(message: LinkMessage): void;
  /** Ends an open link and stops the timers (the job is being forgotten); keeps nothing after. */
  close(): void;
  /** Bytes of the messages kept for replay. */
  readonly retainedBytes: number;
  /** True once `finish` was called. */
  readonly finished: boolean;
  /** Drops kept messages, oldest first, until at most `bytes` remain (the last message always stays); later attaches see a `gap`. */
  shed(bytes: number): void;
}

/** Creates the link of one job. */
export function createJobLink(options: JobLinkOptions): JobLink {
  const kept: { id: number; line: string }[] = [];
  let keptBytes = 0;
  let lastId = 0;
  let droppedThrough = 0;
  let current: ServerResponse | undefined;
  let finished = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  const write = (res: ServerResponse, line: string) => {
    res.write(line);
    if (res.writableLength > options.maxBufferedBytes) res.destroy(new Error('link reader too slow'));
  };
  const detach = (res: ServerResponse) => {
    if (current !== res) return;
    current = undefined;
    clearInterval(pingTimer);
    if (!finished) graceTimer = setTimeout(options.onLost, options.graceMs);
  };

  const shed = (bytes: number) => {
    const before = keptBytes;
    while (keptBytes > bytes && kept.length > 1) {
      const dropped = kept.shift() as { id: number; line: string };
      keptBytes -= dropped.line.length;
      droppedThrough = dropped.id;
    }
    if (keptBytes !== before) options.onRetained?.(keptBytes - before);
  };
  const send = (message: LinkMessage) => {
    lastId += 1;
    const line = `${JSON.stringify({ ...message, id: lastId })}\n`;
    kept.push({ id: lastId, line });
    keptBytes += line.length;
    options.onRetained?.(line.length);
    shed(options.retainBytes);
    if (current !== undefined) write(current, line);
  };
  // Only the `exit` message stays once a reader has everything: a late reattach still learns the
  // outcome. "Has everything" = the last byte left for the reader's socket and the connection
  // did not fail within `releaseAfterMs` (a reader already gone answers those bytes with a reset).
  let readToEnd = false;
  const endWhenFlushed = (res: ServerResponse) => {
    const socket = res.socket;
    res.end(() => {
      let failed = socket?.errored != null;
      const onClose = (hadError: boolean) => void (failed ||= hadError);
      socket?.on('close', onClose);
      setTimeout(() => {
        socket?.off('close', onClose);
        if (failed || readToEnd) return;
        readToEnd = true;
        shed(0);
        options.onReadToEnd?.();
      }, options.releaseAfterMs ?? 1000).unref();
    });
  };

  return {
    get attached() {
      return current !== undefined;
    },
    get retainedBytes() {
      return keptBytes;
    },
    get finished() {
      return finished;
    },
    send,
    shed,
    attach(res, afterId) {
      clearTimeout(graceTimer);
      if (current !== undefined) current.end();
      current = res;
      // A link dies with its connection; that is handled on 'close', not as an error.
      res.on('error', () => undefined);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      res.socket?.setNoDelay(true);
      write(res, `${JSON.stringify(options.hello())}\n`);
      if (afterId < droppedThrough) write(res, `${JSON.stringify({ type: 'gap', from: afterId + 1, to: droppedThrough })}\n`);
      for (const { id, line } of kept) if (id > afterId) write(res, line);
      if (finished) {
        current = undefined;
        endWhenFlushed(res);
        return;
      }
      res.on('close', () => detach(res));
      clearInterval(pingTimer);
      pingTimer = setInterval(() => write(res, '{"type":"ping"}\n'), options.pingMs);
    },
    finish(message) {
      send(message);
      finished = true;
      clearTimeout(graceTimer);
      clearInterval(pingTimer);
      if (current !== undefined) endWhenFlushed(current);
      current = undefined;
    },
    close() {
      finished = true;
      clearTimeout(graceTimer);
      clearInterval(pingTimer);
      current?.end();
      current = undefined;
      kept.length = 0;
      if (keptBytes > 0) options.onRetained?.(-keptBytes);
      keptBytes = 0;
      droppedThrough = lastId;
    },
  };
}
