// Publishes stream-segmenter output: finished segments only, the header first, Plex's CSV list.
import { open, rename, rm } from 'node:fs/promises';
import { join, posix, resolve } from 'node:path';
import type { SegmentPublishDesc } from '../types.ts';
import { readIfPresent, writeAtomic } from './atomic-file.ts';
import { formatPlexCsv, parseCsvList, type SegmentRow } from './csv-list.ts';
import type { RequestFn } from './http-request.ts';

/** What a publisher reports when it is done. */
export interface PublishReport {
  published: string[];
  warnings: string[];
}

/** The bytes of `path` from `offset` on (empty when it has not grown), or null when it does not exist (yet). */
async function readFrom(path: string, offset: number): Promise<Buffer | null> {
  const file = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (file === null) return null;
  try {
    const { size } = await file.stat();
    if (size <= offset) return Buffer.alloc(0);
    const data = Buffer.alloc(size - offset);
    const { bytesRead } = await file.read(data, 0, data.length, offset);
    return data.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The number in segment `name` by the output's printf pattern (`media-%05d.ts`), or null when it does not fit. */
export function segmentNumberOf(pattern: string, name: string): number | null {
  const parts = posix.basename(pattern).split(/%0?\d*d/);
  if (parts.length !== 2) return null;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escape(parts[0] ?? '')}(\\d+)${escape(parts[1] ?? '')}$`).exec(name);
  return match === null ? null : Number(match[1]);
}

/**
 * Creates the sync step for one segmenter output (run by the poller, then once at the end).
 * Work per segment stays constant over a long transcode: ffmpeg's own list is read from where the
 * last pass stopped (it appends to it), and each delivery lists what Plex's transcoder lists
 * with `-segment_list_size N`, the last N segments (all of them only when Plex asked for 0).
 */
export function createSegmentPublisher(desc: SegmentPublishDesc, cwd: string, request: RequestFn) {
  const report: PublishReport = { published: [], warnings: [] };
  /** The rows the next delivery lists (the last `listSize` when Plex set one). */
  const rows: SegmentRow[] = [];
  let count = 0;
  let readUpTo = 0;
  let headerDone = desc.headerFile === null;
  /** Plex's number of the last segment published (its name carries it: stock numbers from -segment_start_number too). */
  let lastNumber: number | null = null;
  const finalDir = resolve(cwd, posix.dirname(desc.pattern));

  async function publishHeader(): Promise<void> {
    if (headerDone || desc.headerFile === null) return;
    const staged = resolve(cwd, desc.stageDir, posix.basename(desc.headerFile));
    const data = await readIfPresent(staged);
    if (data === null) return;
    if (data.length === 0) report.warnings.push('segment header file is empty');
    await rename(staged, resolve(cwd, desc.headerFile));
    headerDone = true;
  }

  async function deliver(): Promise<void> {
    const body = formatPlexCsv(rows, desc.separateStreamTimes);
    if (desc.listFile !== null) await writeAtomic(resolve(cwd, desc.listFile), body);
    if (desc.listUrl === null) return;
    try {
      const res = await request('POST', desc.listUrl, body);
      if (res.status >= 400) report.warnings.push(`segment list delivery: HTTP ${res.status}`);
    } catch (e) {
      report.warnings.push(`segment list delivery failed: ${(e as Error).message}`);
    }
  }

  /** The rows ffmpeg listed since the last pass (complete lines only: it lists a segment after closing it). */
  async function freshRows(): Promise<SegmentRow[]> {
    const data = await readFrom(resolve(cwd, desc.localList), readUpTo);
    const end = data === null ? -1 : data.lastIndexOf('\n');
    if (data === null || end === -1) return [];
    readUpTo += end + 1;
    return parseCsvList(data.subarray(0, end + 1).toString('utf8'));
  }

  /** One pass: expose every segment ffmpeg has finished. */
  async function sync(): Promise<void> {
    const fresh = await freshRows();
    if (fresh.length === 0) return;
    await publishHeader();
    for (const row of fresh) {
      await rename(resolve(cwd, desc.stageDir, row.name), join(finalDir, row.name));
      // After `-ss` with `-copyts`, stock lists the first segment from 0; Plex lists it from the seek.
      const start = count === 0 && desc.firstStart > row.start ? desc.firstStart : row.start;
      rows.push({ name: row.name, start: start + desc.timeOffset, end: row.end + desc.timeOffset });
      count += 1;
      report.published.push(row.name);
      lastNumber = segmentNumberOf(desc.pattern, row.name) ?? lastNumber;
    }
    if (desc.listSize > 0 && rows.length > desc.listSize) rows.splice(0, rows.length - desc.listSize);
    await deliver();
  }

  /** Final pass after ffmpeg exited: publish the rest and remove the staging folder. */
  async function finish(): Promise<PublishReport> {
    await sync();
    await publishHeader();
    await rm(resolve(cwd, desc.stageDir), { recursive: true, force: true });
    return report;
  }

  return { sync, finish, report, segment: () => lastNumber };
}
