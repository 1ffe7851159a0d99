/**
 * Draws one synthetic session (as insert values) from the profiles, with a seeded random source.
 * What the cartridge decides and records at the end goes through its own recording functions
 * (fallbackPatch, endPatch, stopFate, clientHint) and the store's column mapping, so the
 * generated rows say what real ones say (a Plex stop is exit 255 with ended_by plex-stop).
 */
import { clientHint } from '../../cartridge/client-hint.ts';
import { stopFate } from '../../cartridge/run.ts';
import { endPatch, fallbackPatch, type SessionEnding } from '../../cartridge/session.ts';
import { PATCH_COLUMNS, SESSION_COLUMNS, toSqlValue } from '../../core/session-log/session-columns.ts';
import type { SessionPatch } from '../../core/session-log/types.ts';
import { createArgvTemplate, type ArgvTemplate } from './generate-argv.ts';
import { AUDIO_IN, CLIENTS, FALLBACK_REASONS, LIBRARIES, PROFILES, UNMAPPED_REASON, type SessionProfile } from './generate-profiles.ts';

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
const ENV_NAMES = JSON.stringify(['PATH', 'LD_LIBRARY_PATH', 'FFMPEG_EXTERNAL_LIBS', 'X_PLEX_TOKEN', 'PLEX_MEDIA_SERVER_INFO_DEVICE']);
const CWD = '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Cache/Transcode/Sessions/plex-transcode-';
/** Plex for Android's session ids end with its product; other clients' are UUIDs or random. */
const ANDROID_SESSION = '875a95c7bc0072ef-com-plexapp-android-';
const BITRATE: Record<number, number> = { 2160: 20_000_000, 1080: 8_000_000, 720: 4_000_000, 480: 2_000_000 };

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
  // What the cartridge can tell of each client: clientHint on a session folder of its shape.
  const recorded = new Map(CLIENTS.map((c) => [c.name, clientHint(`${CWD}${c.androidSessionId ? ANDROID_SESSION : ''}b1f0c1d2-0000-4000-8000-000000000001`, [])]));
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

    let patch: SessionPatch;
    if (!profile.remote) patch = { decision: 'local', reason: profile.localReason };
    else if (unmapped) patch = { ...fallbackPatch('worker-refused', UNMAPPED_REASON), worker: workers[0] ?? null };
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

    const template = templateOf(profile, protocol, seek);
    const seekS = seek ? Math.round(random() * 3000) : 0;
    const argv = template.render({ input: input ?? '', videoIn: videoIn ?? '', audioIn: audioIn ?? '', width: width ?? 0, height: height ?? 0, seekS, session: id });
    const facts = JSON.stringify({ kind: profile.kind, video: { codec: profile.videoOut, sourceCodec: videoIn, width, height }, audio: { codec: profile.audioOut, sourceCodec: audioIn }, protocol });
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
    const cwd = `${CWD}${client?.androidSessionId ? ANDROID_SESSION : ''}${id}`;
    const row: Row = [
      id, startedAt, argv, ENV_NAMES, cwd, profile.kind, template.pattern, template.patternId, input, videoIn,
      profile.videoOut, audioIn, profile.audioOut, width, height, height === null ? null : (BITRATE[height] ?? null), profile.audioOut === null ? null : 256_000,
      protocol === 'dash' ? 'mp4' : protocol === 'hls' ? 'mpegts' : profile.kind === 'optimize' ? 'mkv' : profile.audioOut === 'mp3' ? 'mp3' : null,
      protocol, profile.burnIn ? 1 : 0, profile.burnIn === 'inlineass' ? 'ass' : profile.burnIn === 'overlay' ? 'pgs' : null, profile.toneMapping ? 1 : 0,
      encodes && random() < 0.1 ? 'vaapi' : null, seek ? seekS : null, client === null ? null : (recorded.get(client.name) ?? null), facts,
    ];
    if (row.length !== START_COLUMNS.length) throw new Error(`generator row has ${row.length} start values for ${START_COLUMNS.length} columns`);
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
