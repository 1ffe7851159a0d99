/** One pino root logger per daemon: JSON lines on stdout (journald), optionally rolled files. */
import { join } from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import type { Config } from './config.ts';
import { LOG_REDACT_PATHS, redactDeep, redactSecrets } from './redact.ts';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Component name, e.g. `worker`; becomes the `component` field and the log file's name. */
  name: string;
  config: Pick<Config, 'logLevel' | 'logFiles' | 'logDir'>;
  /** Where JSON lines go (default stdout); tests pass a stream to assert on. */
  destination?: NodeJS.WritableStream;
}

/** Creates the root logger. File logging uses pino-roll in this thread (no transport worker). */
export async function createLogger(options: CreateLoggerOptions): Promise<Logger> {
  const streams: StreamEntry[] = [{ level: options.config.logLevel as pino.Level, stream: options.destination ?? pino.destination({ fd: 1, sync: false }) }];
  if (options.config.logFiles) {
    const { default: pinoRoll } = await import('pino-roll');
    const file = await pinoRoll({
      file: join(options.config.logDir, options.name),
      extension: '.log',
      frequency: 'daily',
      size: '50m',
      limit: { count: 7 },
      mkdir: true,
    });
    streams.push({ level: options.config.logLevel as pino.Level, stream: file });
  }
  return pino(
    {
      level: options.config.logLevel,
      base: { component: options.name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: LOG_REDACT_PATHS, censor: 'REDACTED' },
      formatters: {
        level: (label) => ({ level: label }),
        // Every field of every line, however deep (a `dropped` array, headers, env, an error's
        // message): tokens and keys become REDACTED. The paths above are a second net.
        log: (object) => redactDeep(object) as Record<string, unknown>,
        bindings: (bindings) => redactDeep(bindings) as Record<string, unknown>,
      },
      hooks: {
        // URLs in messages and string fields may carry X-Plex-Token: scrub every string argument.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
        },
        // The last net, on the finished JSON line: a token in a query string anywhere (an
        // Error's message that became `msg`, a value no field name gave away).
        streamWrite: (line) => redactSecrets(line),
      },
    },
    pino.multistream(streams),
  );
}
