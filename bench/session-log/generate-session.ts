/**
 * Draws one synthetic session (as insert values) from the profiles, with a seeded random source.
 * Only the command line and what happens to the job are drawn; the row is what the cartridge
 * makes of them, through its own functions: the facts by parsePlexArgv and sessionStartRow
 * (the client by clientHint), the decision by planInvocation, the decision and end columns by
 * fallbackPatch, endPatch and stopFate, the SQL values by the store's column mapping. So the
 * generated rows say what real ones say (test/analyze/generated.test.ts checks it).
 */
import { extname } from 'node:path';
import { planInvocation } from '../../cartridge/decide.ts';
import { stopFate } from '../../cartridge/run.ts';
import { sessionStartRow } from '../../cartridge/session-facts.ts';
import { endPatch, fallbackPatch, type SessionEnding } from '../../cartridge/session.ts';
import { parsePlexArgv } from '../../core/plex-argv/index.ts';
import { PATCH_COLUMNS, SESSION_COLUMNS, toInsertParams, toSqlValue } from '../../core/session-log/session-columns.ts';
import type { SessionPatch } from '../../core/session-log/types.ts';
import { createArgvTemplate, type ArgvTemplate } from './generate-argv.ts';
import { AUDIO_IN, CLIENTS, FALLBACK_REASONS, LIBRARIES, LOOPBACK_REASON, PROFILES, UNMAPPED_REASON, type SessionProfile } from './generate-profiles.ts';

/** A seeded random source (mulberry32): the same seed gives the same log. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `sessions` columns the generator fills, in insert order: every column the store writes. */
export const GENERATED_COLUMNS: readonly string[] = Object.values(SESSION_COLUMNS);
const START_COLUMNS = GENERATED_COLUMNS.slice(0, GENERATED_COLUMNS.indexOf(PATCH_COLUMNS.decision));
const PATCH_ENTRIES = Object.entries(PATCH_COLUMNS) as [keyof SessionPatch, string][];

type Row = (string | number | null)[];
/** Plex's environment (names only reach the log). */
const ENV = Object.fromEntries(['PATH', 'LD_LIBRARY_PATH', 'FFMPEG_EXTERNAL_LIBS', 'X_PLEX_TOKEN', 'PLEX_MEDIA_SERVER_INFO_DEVICE'].map((name) => [name, '']));
const CWD = '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Cache/Transcode/Sessions/plex-transcode-';
/** Plex for Android's session ids end with its product; other clients' are UUIDs or random. */
const ANDROID_SESSION = '875a95c7bc0072ef-com-plexapp-android-';
// Parsing costs ~150 µs: each shape of command line is parsed once, with stand-ins for what
// changes from one session to the next (session id, input path, seek), replaced in the result.
const MARK_ID = '00000000-0000-7000-8000-00000000beef';
const MARK_INPUT = '/plexbeam-generated-input';
const MARK_SEEK = 7777.125;

/** The start columns of one command-line shape, parsed with the stand-ins. */
interface Skeleton {
  values: (string | number | null)[];
  /** The string values holding a stand-in, split at them: [column index, pieces (odd ones name a stand-in)]. */
  marked: [number, string[]][];
  kind: string;
}

/** Creates the drawer: `draw(startedAt)` returns one row of GENERATED_COLUMNS values. */
export function createSessionDrawer(random: () => number, workers: readonly string[]): (startedAt: number) => Row {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const weighted = <T extends { weight: number }>(items: readonly T[]): (() => T) => {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    return () => {
      let r = random() * total;
      for (const item of items) if ((r -= item.weight) < 0) return item;
      return items[items.length - 1] as T;
    };
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * gauss());
  const profileOf = weighted(PROFILES);
  const clientOf = weighted(CLIENTS);
  const reasonOf = weighted(FALLBACK_REASONS);
  const templates = new Map<string, ArgvTemplate>();
  const templateOf = (profile: SessionProfile, protocol: string | null, seek: boolean) => {
    const key = `${profile.name}|${protocol}|${seek}`;
    let template = templates.get(key);
    if (template === undefined) templates.set(key, (template = createArgvTemplate(profile, protocol, seek)));
    return template;
  };
  const skeletons = new Map<string, Skeleton>();
  const skeletonOf = (key: string, template: ArgvTemplate, values: Parameters<ArgvTemplate['render']>[0], folder: string): Skeleton => {
    let skeleton = skeletons.get(key);
    if (skeleton === undefined) {
      const argv = JSON.parse(template.render(values)) as string[];
      const params = toInsertParams(sessionStartRow(MARK_ID, 0, argv, ENV, folder + MARK_ID, parsePlexArgv(argv)));
      const all = START_COLUMNS.map((column) => params[column] as string | number | null);
      const standIns = new RegExp(`(${[MARK_ID, String(MARK_SEEK), ...(values.input.startsWith(MARK_INPUT) ? [values.input] : [])].map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
      const marked = all.flatMap((v, i): [number, string[]][] => (typeof v === 'string' && standIns.test(v) ? [[i, v.split(standIns)]] : []));
      skeletons.set(key, (skeleton = { values: all, marked, kind: String(params.kind) }));
    }
    return skeleton;
  };
  let counter = 0;

  return (startedAt) => {
    const profile = profileOf();
    const client = profile.played && profile.kind !== 'audio-only' ? clientOf() : null;
    const protocol = profile.kind === 'audio-only' ? 'stream' : client?.protocol ?? (profile.kind === 'optimize' ? 'file' : profile.kind === 'detection' ? 'null' : null);
    const encodes = profile.videoOut !== null && profile.videoOut !== 'copy';
    const height = !encodes ? null : client === null ? 1080 : pick(client.heights);
    const width = height === null ? null : Math.round((height * 16) / 9 / 2) * 2;
    const videoIn = profile.videoIn === null ? null : pick(profile.videoIn);
    const audioIn = profile.kind === 'audio-only' ? pick(AUDIO_IN.music) : profile.input === 'none' ? null : pick(AUDIO_IN.video);
    const input = profile.input === 'uhd' && random() < 0.3 ? pick(LIBRARIES.video) : pick(LIBRARIES[profile.input]);
    const unmapped = input !== null && input.startsWith('/mnt/archive/');
    const seek = profile.played && random() < 0.3;
    const id = sessionId(startedAt, counter++, random);

    const template = templateOf(profile, protocol, seek);
    const seekS = seek ? Math.round(random() * 3000) : 0;
    const folder = `${CWD}${client?.androidSessionId ? ANDROID_SESSION : ''}`;
    // A URL input is part of the shape (the parser tells Plex's loopback from the network); a path only by its extension.
    const url = input !== null && /^[a-z]+:\/\//.test(input);
    const standIn = input === null ? '' : url ? input : MARK_INPUT + extname(input);
    const shape = [profile.name, protocol, seek, videoIn, audioIn, height, folder, standIn].join('|');
    const values = { input: standIn, videoIn: videoIn ?? '', audioIn: audioIn ?? '', width: width ?? 0, height: height ?? 0, seekS: MARK_SEEK, session: MARK_ID };
    const skeleton = skeletonOf(shape, template, values, folder);
    const row: Row = [...skeleton.values];
    const json = input === null ? '' : JSON.stringify(input).slice(1, -1);
    for (const [i, pieces] of skeleton.marked) {
      const inJson = START_COLUMNS[i] === 'argv' || START_COLUMNS[i] === 'facts';
      let text = pieces[0] as string;
      for (let p = 1; p < pieces.length; p += 2) {
        const mark = pieces[p];
        text += (mark === MARK_ID ? id : mark === String(MARK_SEEK) ? String(seekS) : inJson ? json : (input ?? '')) + (pieces[p + 1] as string);
      }
      row[i] = text;
    }
    row[0] = id;
    row[1] = startedAt;
    const plan = planInvocation(skeleton.kind as never);

    let patch: SessionPatch;
    if (plan.route === 'local') patch = { decision: 'local', reason: plan.reason };
    else if (unmapped || profile.input === 'livetv') patch = { ...fallbackPatch('worker-refused', profile.input === 'livetv' ? LOOPBACK_REASON : UNMAPPED_REASON), worker: workers[0] ?? null };
    else if (workers.length === 0) patch = fallbackPatch('no-worker-configured', 'no worker configured');
    else if (random() < 0.08) {
      const { code, reason } = reasonOf();
      patch = fallbackPatch(code, reason);
    } else patch = { decision: 'remote', reason: null, worker: profile.videoOut === 'hevc' ? (workers[0] as string) : pick(workers) };
    const decision = patch.decision as string;

    const durationMs = Math.max(20, Math.round(Math.min(logNormal(profile.medianS, 0.8), 4 * 3600) * 1000));
    const fate = random();
    const unfinished = fate < 0.003;
    const failed = !unfinished && fate < 0.003 + (decision === 'fallback' ? 0.06 : 0.015);
    const lost = !unfinished && !failed && decision === 'remote' && fate < 0.003 + 0.015 + 0.005;
    const stopped = !unfinished && !failed && !lost && profile.played && fate > 0.8;
    const segmented = protocol === 'hls' || protocol === 'dash';
    const latencyMedian = (decision === 'remote' ? 1300 : decision === 'fallback' ? 2300 : 800) * (profile.toneMapping ? 1.5 : 1);

    if (decision !== 'local') patch.dispatchAt = startedAt + 20 + Math.floor(random() * 60);
    if (segmented && !failed) patch.firstSegmentAt = startedAt + Math.round(logNormal(latencyMedian, 0.35));
    if (!unfinished) {
      const ending: SessionEnding = failed
        ? { endedBy: 'exit', code: 1, signal: null, error: 'Conversion failed' }
        : lost
          ? { endedBy: 'worker-lost', code: 1, signal: null, error: `lost the worker ${patch.worker} mid-transcode: the link closed` }
          : stopped
            ? { endedBy: 'plex-stop', ...stopFate('SIGTERM'), error: decision === 'remote' ? 'cancelled by SIGTERM' : null }
            : { endedBy: 'exit', code: 0, signal: null };
      Object.assign(patch, endPatch(ending, startedAt + durationMs));
    }
    if (seek) row[START_COLUMNS.indexOf('seek_s')] = seekS;
    for (const [field] of PATCH_ENTRIES) row.push(toSqlValue(field, patch[field]) as string | number | null);
    return row;
  };
}

/** A time-ordered UUID (version 7 layout): ids sort like start times, so inserts append to the key index. */
function sessionId(ms: number, counter: number, random: () => number): string {
  const hex = (value: number, digits: number) => Math.floor(value).toString(16).padStart(digits, '0').slice(-digits);
  const time = hex(ms, 12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(counter & 0xfff, 3)}-${hex(8 + random() * 4, 1)}${hex(random() * 0x1000, 3)}-${hex(random() * 0x1000000, 6)}${hex(random() * 0x1000000, 6)}`;
}
