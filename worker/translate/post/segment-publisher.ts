// Publishes stream-segmenter output: finished segments only, the header first, Plex's CSV list.
import { rename, rm } from 'node:fs/promises';
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

/** Creates the sync step for one segmenter output (run by the poller, then once at the end). */
export function createSegmentPublisher(desc: SegmentPublishDesc, cwd: string, request: RequestFn) {
  const report: PublishReport = { published: [], warnings: [] };
  const rows: SegmentRow[] = [];
  let headerDone = desc.headerFile === null;
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

  /** One pass: expose every segment ffmpeg has finished (it lists a segment after closing it). */
  async function sync(): Promise<void> {
    const text = await readIfPresent(resolve(cwd, desc.localList));
    if (text === null) return;
    const listed = parseCsvList(text.toString('utf8'));
    const fresh = listed.slice(rows.length);
    if (fresh.length === 0) return;
    await publishHeader();
    for (const row of fresh) {
      await rename(resolve(cwd, desc.stageDir, row.name), join(finalDir, row.name));
      const first = rows.length === 0;
      // After `-ss` with `-copyts`, stock lists the first segment from 0; Plex lists it from the seek.
      const start = first && desc.firstStart > row.start ? desc.firstStart : row.start;
      rows.push({ name: row.name, start: start + desc.timeOffset, end: row.end + desc.timeOffset });
      report.published.push(row.name);
    }
    await deliver();
  }

  /** Final pass after ffmpeg exited: publish the rest and remove the staging folder. */
  async function finish(): Promise<PublishReport> {
    await sync();
    await publishHeader();
    await rm(resolve(cwd, desc.stageDir), { recursive: true, force: true });
    return report;
  }

  return { sync, finish, report };
}
