/** Draws one synthetic session (as insert values) from the profiles, with a seeded random source. */
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

/** The `sessions` columns the generator fills, in insert order. */
export const GENERATED_COLUMNS = [
  'id', 'started_at', 'argv', 'env_names', 'cwd', 'kind', 'pattern', 'pattern_id', 'input_path', 'video_codec_in',
  'video_codec_out', 'audio_codec_in', 'audio_codec_out', 'width', 'height', 'video_bitrate', 'audio_bitrate', 'container',
  'protocol', 'subtitle_burn_in', 'subtitle_kind', 'tone_mapping', 'hw_decode', 'seek_s', 'client', 'facts', 'decision',
  'reason', 'worker', 'dispatch_at', 'first_segment_at', 'ended_at', 'exit_code', 'signal', 'error',
] as const;

type Row = (string | number | null)[];
const ENV_NAMES = JSON.stringify(['PATH', 'LD_LIBRARY_PATH', 'FFMPEG_EXTERNAL_LIBS', 'X_PLEX_TOKEN', 'PLEX_MEDIA_SERVER_INFO_DEVICE']);
const CWD = '/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Cache/Transcode/Sessions/plex-transcode-';
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

    let decision: string, reason: string | null, worker: string | null = null;
    if (!profile.remote) [decision, reason] = ['local', profile.localReason];
    else if (unmapped) [decision, reason, worker] = ['fallback', UNMAPPED_REASON, workers[0] ?? null];
    else if (workers.length === 0) [decision, reason] = ['fallback', 'no worker configured'];
    else if (random() < 0.08) [decision, reason] = ['fallback', reasonOf().reason];
    else [decision, reason, worker] = ['remote', null, profile.videoOut === 'hevc' ? (workers[0] as string) : pick(workers)];

    const durationMs = Math.max(20, Math.round(Math.min(logNormal(profile.medianS, 0.8), 4 * 3600) * 1000));
    const fate = random();
    const unfinished = fate < 0.003;
    const failed = !unfinished && fate < 0.003 + (decision === 'fallback' ? 0.06 : 0.015);
    const stopped = !unfinished && !failed && profile.played && fate > 0.8;
    const segmented = protocol === 'hls' || protocol === 'dash';
    const latencyMedian = (decision === 'remote' ? 1300 : decision === 'fallback' ? 2300 : 800) * (profile.toneMapping ? 1.5 : 1);

    const template = templateOf(profile, protocol, seek);
    const seekS = seek ? Math.round(random() * 3000) : 0;
    const argv = template.render({ input: input ?? '', videoIn: videoIn ?? '', audioIn: audioIn ?? '', width: width ?? 0, height: height ?? 0, seekS, session: id });
    const facts = JSON.stringify({ kind: profile.kind, video: { codec: profile.videoOut, sourceCodec: videoIn, width, height }, audio: { codec: profile.audioOut, sourceCodec: audioIn }, protocol });
    return [
      id, startedAt, argv, ENV_NAMES, CWD + id, profile.kind, template.pattern, template.patternId, input, videoIn,
      profile.videoOut, audioIn, profile.audioOut, width, height, height === null ? null : (BITRATE[height] ?? null), profile.audioOut === null ? null : 256_000,
      protocol === 'dash' ? 'mp4' : protocol === 'hls' ? 'mpegts' : profile.kind === 'optimize' ? 'mkv' : profile.audioOut === 'mp3' ? 'mp3' : null,
      protocol, profile.burnIn ? 1 : 0, profile.burnIn === 'inlineass' ? 'ass' : profile.burnIn === 'overlay' ? 'pgs' : null, profile.toneMapping ? 1 : 0,
      encodes && random() < 0.1 ? 'vaapi' : null, seek ? seekS : null, client?.name ?? (profile.kind === 'audio-only' ? 'Plexamp' : null), facts, decision,
      reason, worker, decision === 'local' ? null : startedAt + 20 + Math.floor(random() * 60),
      segmented && !failed ? startedAt + Math.round(logNormal(latencyMedian, 0.35)) : null,
      unfinished ? null : startedAt + durationMs, unfinished || stopped ? null : failed ? 1 : 0,
      stopped ? 'SIGTERM' : null, failed ? 'Conversion failed' : null,
    ];
  };
}

/** A time-ordered UUID (version 7 layout): ids sort like start times, so inserts append to the key index. */
function sessionId(ms: number, counter: number, random: () => number): string {
  const hex = (value: number, digits: number) => Math.floor(value).toString(16).padStart(digits, '0').slice(-digits);
  const time = hex(ms, 12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(counter & 0xfff, 3)}-${hex(8 + random() * 4, 1)}${hex(random() * 0x1000, 3)}-${hex(random() * 0x1000000, 6)}${hex(random() * 0x1000000, 6)}`;
}
