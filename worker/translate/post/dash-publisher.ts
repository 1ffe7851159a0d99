// Publishes DASH output the way Plex's dashenc writes it: chunk numbers from -skip_to_segment,
// tfdt/sidx on the real timeline after a seek, the manifest delivered to PMS's URL.
import { readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DashPublishDesc } from '../types.ts';
import { readIfPresent, writeAtomic } from './atomic-file.ts';
import { parseRepresentations, renumberManifest, shiftTimelines } from './dash-manifest.ts';
import type { RequestFn } from './http-request.ts';
import { firstSampleTiming, shiftFragmentTimes } from './mp4-boxes.ts';
import type { PublishReport } from './segment-publisher.ts';

/** Expands a dashenc name template (`$RepresentationID$`, `$Number%05d$`, `$ext$`). */
export function fillTemplate(template: string, rep: string, num: number, ext = 'm4s'): string {
  return template
    .replace(/\$RepresentationID\$/g, rep)
    .replace(/\$Number(?:%0(\d+)d)?\$/g, (_, w?: string) => String(num).padStart(Number(w ?? 0), '0'))
    .replace(/\$ext\$/g, ext);
}

/** Creates the sync step for one DASH output. */
export function createDashPublisher(desc: DashPublishDesc, cwd: string, request: RequestFn) {
  const report: PublishReport = { published: [], warnings: [] };
  const stage = resolve(cwd, desc.stageDir);
  const outDir = join(stage, '..');
  /** Per representation: what chunk times move by, and what the MPD timeline moves by. */
  const offsets = new Map<string, number>();
  const shifts = new Map<string, number>();
  const next = new Map<string, number>();
  let delivered = '';
  const delta = desc.firstNumber - 1;
  /** Plex's number of the last chunk every representation has published (a drain hands back after it). */
  let lastNumber: number | null = null;

  /** Learns a representation's time offset from a chunk the MPD lists, and publishes its init. */
  async function learnOffset(rep: string, num: number, listedStart: number | undefined, timescale: number): Promise<void> {
    const data = listedStart === undefined ? null : await readIfPresent(join(stage, fillTemplate(desc.mediaTemplate, rep, num)));
    const timing = data === null ? null : firstSampleTiming(data);
    if (timing === null || listedStart === undefined) return;
    // Stock rebases every track to 0 after a seek; Plex's dashenc keeps the real position. Moving
    // all tracks by the same seek keeps stock's A/V alignment; the MPD timeline is then made to
    // start where the first chunk now presents (its tfdt plus the first composition offset).
    const offset = Math.round(desc.seekOffset * timescale);
    offsets.set(rep, offset);
    shifts.set(rep, desc.seekOffset > 0 ? offset + timing.tfdt + timing.cto - listedStart : 0);
    await publishInit(rep);
  }

  async function publishInit(rep: string): Promise<void> {
    const init = fillTemplate(desc.initTemplate, rep, 0);
    await rename(join(stage, init), join(outDir, init)).catch(() => report.warnings.push(`init segment ${init} missing`));
  }

  async function publishChunk(rep: string, num: number): Promise<boolean> {
    const staged = join(stage, fillTemplate(desc.mediaTemplate, rep, num));
    const data = await readIfPresent(staged);
    if (data === null) return false;
    shiftFragmentTimes(data, offsets.get(rep) ?? 0);
    const name = fillTemplate(desc.mediaTemplate, rep, num + delta);
    await writeAtomic(join(outDir, name), data);
    await rm(staged, { force: true });
    report.published.push(name);
    return true;
  }

  /** One pass: publish chunks the MPD lists (they are complete then), then the renumbered MPD. */
  async function sync(): Promise<void> {
    const mpdBuf = await readIfPresent(join(stage, desc.manifestName));
    if (mpdBuf === null) return;
    const mpd = mpdBuf.toString('utf8');
    const reps = parseRepresentations(mpd);
    for (const rep of reps) {
      if (!offsets.has(rep.id)) await learnOffset(rep.id, rep.startNumber, rep.starts[0], rep.timescale);
      if (!offsets.has(rep.id)) continue;
      const last = rep.startNumber + rep.starts.length - 1;
      for (let num = next.get(rep.id) ?? 1; num <= last; num++) {
        if (!(await publishChunk(rep.id, num))) break;
        next.set(rep.id, num + 1);
      }
    }
    const plexMpd = shiftTimelines(renumberManifest(mpd, delta), shifts);
    // Counted once the manifest listing it is delivered (below): only then does Plex have the chunk.
    const common = Math.min(...reps.map((rep) => (next.get(rep.id) ?? 1) - 1));
    const published = reps.length > 0 && common >= 1 ? common + delta : lastNumber;
    if (plexMpd === delivered) {
      lastNumber = published;
      return;
    }
    delivered = plexMpd;
    if (desc.localManifest !== null) await writeAtomic(resolve(cwd, desc.localManifest), plexMpd);
    if (desc.manifestUrl === null) {
      lastNumber = published;
      return;
    }
    try {
      const res = await request('PUT', desc.manifestUrl, plexMpd);
      if (res.status >= 400) report.warnings.push(`manifest delivery: HTTP ${res.status}`);
    } catch (e) {
      report.warnings.push(`manifest delivery failed: ${(e as Error).message}`);
    }
    lastNumber = published;
  }

  /** Final pass after ffmpeg exited; removes the staging folder. */
  async function finish(): Promise<PublishReport> {
    await sync();
    const left = await readdir(stage).catch(() => [] as string[]);
    const chunks = left.filter((f) => !f.endsWith('.tmp') && f !== desc.manifestName);
    if (chunks.length > 0) report.warnings.push(`unpublished DASH files: ${chunks.join(', ')}`);
    await rm(stage, { recursive: true, force: true });
    return report;
  }

  return { sync, finish, report, segment: () => lastNumber };
}
