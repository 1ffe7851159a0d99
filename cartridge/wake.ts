/**
 * Wake-on-LAN for a sleeping worker (`workers[].wake`): one magic packet (6 × 0xFF, then the MAC
 * 16 times) by UDP broadcast to port 9, at most once a minute per worker, however many plays find
 * it down. Loaded by import() only when a play finds such a worker down (choose-worker.ts); the
 * play never waits for it. The minute is kept in `<dataDir>/wake-<mac>.json`, claimed under an
 * exclusive lock file so that plays starting together send one packet between them.
 */
import { join } from 'node:path';
import { nodeDgram, nodeFs } from '../core/builtins.ts';
import { loadConfig } from '../core/config.ts';
import { restorePlexEnv } from './environment.ts';

/** The discard port, where Wake-on-LAN packets conventionally go. */
export const WAKE_PORT = 9;
/** One packet per worker per minute at most. */
export const WAKE_INTERVAL_MS = 60_000;
/** A lock file older than this was left by a cartridge that died while claiming (claiming takes microseconds). */
export const STALE_LOCK_MS = 10_000;

export interface WakeWorker {
  name?: string;
  url: string;
  wake?: { mac: string; broadcast: string };
}

/** What happened for one worker: sent, skipped (sent within the minute, or another play is sending), or failed. */
export interface WakeResult {
  worker: string;
  sent: boolean;
  error?: string;
}

export interface WakeOptions {
  /** Where the stamps live (the config's dataDir); absent: read from the config, as run.ts loads it. */
  dataDir?: string | undefined;
  now?: number;
  /** Sends one packet (tests replace it); default sendMagicPacket. */
  send?: (mac: string, broadcast: string) => Promise<void>;
  /** Where the one line about failures goes; default stderr. */
  warn?: (line: string) => void;
}

/** The six bytes of `mac` (`aa:bb:cc:dd:ee:ff` or with `-`); throws on anything else. */
export function parseMac(mac: string): Buffer {
  if (!/^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i.test(mac)) throw new Error(`not a MAC address: ${JSON.stringify(mac)}`);
  return Buffer.from(mac.replace(/[:-]/g, ''), 'hex');
}

/** The magic packet for `mac`: 6 bytes of 0xFF, then the MAC 16 times (102 bytes). */
export function magicPacket(mac: string): Buffer {
  const bytes = parseMac(mac);
  return Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => bytes)]);
}

/** The stamp file of the worker with `mac` in `dataDir`. */
export function wakeStampPath(dataDir: string, mac: string): string {
  return join(dataDir, `wake-${parseMac(mac).toString('hex')}.json`);
}

/**
 * True when this play may send `mac` its packet now: no packet went within WAKE_INTERVAL_MS (a
 * stamp in the future, a clock step back, does not count), and no other play is deciding at this
 * moment. The stamp is written before the packet goes, so a failed send also waits its minute.
 */
export function claimWake(dataDir: string, mac: string, now = Date.now()): boolean {
  const fs = nodeFs();
  const stamp = wakeStampPath(dataDir, mac);
  const lock = `${stamp}.lock`;
  fs.mkdirSync(dataDir, { recursive: true });
  let fd: number;
  try {
    fd = fs.openSync(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another play holds it and sends; one that died holding it leaves it to the next play.
    try {
      if (now - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.unlinkSync(lock);
    } catch {
      // gone meanwhile: its holder finished
    }
    return false;
  }
  try {
    const last = readStamp(stamp);
    if (last !== null && last <= now + 1000 && now - last < WAKE_INTERVAL_MS) return false;
    // Written whole, then renamed: a reader never sees half a stamp.
    const temp = `${stamp}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify({ mac, sentAt: now })}\n`);
    fs.renameSync(temp, stamp);
    return true;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(lock, { force: true });
  }
}

/** When the last packet went (ms since the epoch), or null for no stamp or a malformed one. */
function readStamp(path: string): number | null {
  try {
    const sentAt = (JSON.parse(nodeFs().readFileSync(path, 'utf8')) as { sentAt?: unknown } | null)?.sentAt;
    return typeof sentAt === 'number' && Number.isFinite(sentAt) ? sentAt : null;
  } catch {
    return null;
  }
}

/** Sends the magic packet for `mac` to `broadcast` (an IPv4 address, never a name to look up) on `port`, with SO_BROADCAST. */
export async function sendMagicPacket(mac: string, broadcast: string, port = WAKE_PORT): Promise<void> {
  const packet = magicPacket(mac);
  if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(broadcast)) throw new Error(`not an IPv4 address: ${JSON.stringify(broadcast)}`);
  await new Promise<void>((resolve, reject) => {
    const socket = nodeDgram().createSocket('udp4');
    const done = (error?: Error | null) => {
      socket.close();
      if (error) reject(error);
      else resolve();
    };
    socket.once('error', done);
    socket.bind(0, () => {
      try {
        socket.setBroadcast(true);
      } catch (error) {
        done(error as Error);
        return;
      }
      socket.send(packet, port, broadcast, done);
    });
  });
}

/**
 * Sends each worker with `wake` its packet unless one went within the minute; never throws: what
 * failed (a stamp that cannot be written, a send the network refuses) is one `plexbeam:` line.
 */
export async function wakeWorkers(workers: readonly WakeWorker[], options: WakeOptions = {}): Promise<WakeResult[]> {
  const send = options.send ?? sendMagicPacket;
  const warn = options.warn ?? ((line: string) => process.stderr.write(line));
  let dataDir = options.dataDir;
  const results = await Promise.all(workers.map(async (worker): Promise<WakeResult> => {
    const label = worker.name || worker.url;
    if (worker.wake === undefined) return { worker: label, sent: false };
    try {
      dataDir ??= loadConfig({ env: restorePlexEnv(process.env) }).dataDir;
      if (!claimWake(dataDir, worker.wake.mac, options.now)) return { worker: label, sent: false };
      await send(worker.wake.mac, worker.wake.broadcast);
      return { worker: label, sent: true };
    } catch (error) {
      return { worker: label, sent: false, error: (error as Error).message };
    }
  }));
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length > 0) warn(`plexbeam: Wake-on-LAN not sent: ${failed.map((r) => `${r.worker} (${r.error})`).join('; ')}\n`);
  return results;
}
