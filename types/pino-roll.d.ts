// pino-roll ships no types; this covers the options PlexBeam uses.
declare module 'pino-roll' {
  import type { Writable } from 'node:stream';
  interface PinoRollOptions {
    file: string;
    extension?: string;
    frequency?: 'daily' | 'hourly' | number;
    size?: string | number;
    limit?: { count?: number };
    mkdir?: boolean;
    symlink?: boolean;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<Writable & { flushSync?: () => void; end: () => void }>;
}
