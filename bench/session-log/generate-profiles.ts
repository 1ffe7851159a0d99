/** The mix a synthetic session log is drawn from: kinds of job, clients, libraries, fallback reasons. */
import type { FallbackReason, SessionKind } from '../../core/session-log/index.ts';

/** One kind of invocation Plex makes, with the values its sessions take. */
export interface SessionProfile {
  name: string;
  /** Relative frequency. */
  weight: number;
  /** The kind of command line to draw; the row's kind (and so its decision) is what the cartridge's parser makes of it. */
  kind: SessionKind;
  videoIn: readonly string[] | null;
  videoOut: string | null;
  audioOut: string | null;
  /** Where its input comes from (see LIBRARIES). */
  input: 'video' | 'uhd' | 'music' | 'livetv' | 'none';
  /** Played by a client (protocol, resolution from the client) or run by Plex itself. */
  played: boolean;
  burnIn?: 'inlineass' | 'overlay';
  toneMapping?: boolean;
  /** Median duration in seconds (log-normal around it). */
  medianS: number;
}

/** The profiles; weights add up to 100 for readability. */
export const PROFILES: readonly SessionProfile[] = [
  { name: 'h264-hls', weight: 27, kind: 'video-transcode', videoIn: ['h264'], videoOut: 'libx264', audioOut: 'aac', input: 'video', played: true, medianS: 1500 },
  { name: 'hevc-to-h264', weight: 11, kind: 'video-transcode', videoIn: ['hevc'], videoOut: 'libx264', audioOut: 'aac', input: 'video', played: true, medianS: 1700 },
  { name: 'hdr-tonemap', weight: 6, kind: 'video-transcode', videoIn: ['hevc'], videoOut: 'libx264', audioOut: 'aac', input: 'uhd', played: true, toneMapping: true, medianS: 2400 },
  { name: 'burn-in-ass', weight: 3, kind: 'video-transcode', videoIn: ['h264', 'hevc'], videoOut: 'libx264', audioOut: 'aac', input: 'video', played: true, burnIn: 'inlineass', medianS: 1500 },
  { name: 'burn-in-pgs', weight: 2, kind: 'video-transcode', videoIn: ['h264', 'vc1'], videoOut: 'libx264', audioOut: 'ac3', input: 'video', played: true, burnIn: 'overlay', medianS: 2000 },
  { name: 'to-hevc', weight: 3, kind: 'video-transcode', videoIn: ['h264', 'hevc'], videoOut: 'hevc', audioOut: 'eac3', input: 'video', played: true, medianS: 1800 },
  { name: 'legacy-codecs', weight: 3, kind: 'video-transcode', videoIn: ['mpeg2video', 'mpeg4', 'vc1', 'av1'], videoOut: 'libx264', audioOut: 'aac', input: 'video', played: true, medianS: 1300 },
  { name: 'live-tv', weight: 2, kind: 'video-transcode', videoIn: ['mpeg2video', 'h264'], videoOut: 'libx264', audioOut: 'aac', input: 'livetv', played: true, medianS: 2700 },
  { name: 'optimize', weight: 1.5, kind: 'optimize', videoIn: ['hevc', 'h264'], videoOut: 'libx264', audioOut: 'aac', input: 'video', played: false, medianS: 2400 },
  { name: 'direct-stream', weight: 13, kind: 'remux', videoIn: ['h264', 'hevc'], videoOut: 'copy', audioOut: 'copy', input: 'video', played: true, medianS: 2400 },
  { name: 'music', weight: 8, kind: 'audio-only', videoIn: null, videoOut: null, audioOut: 'mp3', input: 'music', played: true, medianS: 220 },
  { name: 'detection', weight: 8, kind: 'detection', videoIn: ['h264', 'hevc'], videoOut: null, audioOut: null, input: 'video', played: false, medianS: 90 },
  { name: 'capabilities', weight: 11, kind: 'capability-query', videoIn: null, videoOut: null, audioOut: null, input: 'none', played: false, medianS: 0.06 },
  { name: 'unknown', weight: 0.5, kind: 'unknown', videoIn: null, videoOut: null, audioOut: null, input: 'none', played: false, medianS: 2 },
];

/**
 * Clients: how each plays (protocol) and the output heights it asks for. The log names a client
 * only where Plex's session id does (Plex for Android's), as the cartridge's clientHint finds.
 */
export const CLIENTS: readonly { name: string; weight: number; protocol: string; heights: readonly number[]; androidSessionId?: boolean }[] = [
  { name: 'Plex Web', weight: 20, protocol: 'dash', heights: [1080, 720] },
  { name: 'Roku', weight: 15, protocol: 'hls', heights: [1080, 720] },
  { name: 'Android', weight: 14, protocol: 'hls', heights: [720, 480, 1080], androidSessionId: true },
  { name: 'iOS', weight: 12, protocol: 'hls', heights: [720, 1080] },
  { name: 'Apple TV', weight: 10, protocol: 'hls', heights: [1080, 2160] },
  { name: 'Chromecast', weight: 9, protocol: 'hls', heights: [1080, 720] },
  { name: 'Samsung TV', weight: 8, protocol: 'dash', heights: [1080] },
  { name: 'Android TV', weight: 7, protocol: 'dash', heights: [1080, 720], androidSessionId: true },
  { name: 'Xbox', weight: 5, protocol: 'hls', heights: [1080] },
];

/** Audio source codecs by library. */
export const AUDIO_IN = { video: ['ac3', 'eac3', 'aac', 'dca', 'truehd'], music: ['flac', 'alac', 'mp3'] } as const;

/** Why a job that wanted a worker ran locally (code and detail, as the cartridge records them), with relative frequency. */
export const FALLBACK_REASONS: readonly { code: FallbackReason; reason: string; weight: number }[] = [
  { code: 'no-healthy-worker', reason: 'no worker could take the job: gpu-box no answer within 500 ms', weight: 45 },
  { code: 'workers-full', reason: 'no worker could take the job: gpu-box full (2/2 jobs); nuc full (1/1 jobs)', weight: 30 },
  { code: 'dispatch-failed', reason: 'no worker could take the job: gpu-box dispatch failed (ECONNRESET)', weight: 15 },
  { code: 'failed-before-output', reason: 'gpu-box failed the job before any output: exit code 1', weight: 10 },
];

/** The detail recorded (code worker-refused) when the worker refuses Live TV's input on Plex's loopback. */
export const LOOPBACK_REASON = 'no worker could take the job: gpu-box refused the job (HTTP 403: input is a URL on Plex\'s loopback)';

/** The detail recorded (code worker-refused) when the worker refuses an input outside its media roots. */
export const UNMAPPED_REASON = 'no worker could take the job: gpu-box refused the job (HTTP 403: input outside mediaRoots)';

const TITLES = ['Arrival', 'Blade Runner', 'Casablanca', 'Dune', 'Heat', 'Inception', 'Jaws', 'Memento', 'Metropolis', 'Moon', 'Ran', 'Rocky', 'Se7en', 'Solaris', 'Stalker', 'Up', 'Vertigo', 'Whiplash', 'Alien', 'Amadeus'];
const SHOWS = ['The Wire', 'Dark', 'Severance', 'Fargo', 'Chernobyl', 'Lost', 'Succession', 'Andor'];

/** Plex-side input paths by library: `uhd` lives on a share the example pathMap does not cover. */
export const LIBRARIES = {
  video: [
    ...TITLES.flatMap((title, i) => [1, 2].map((part) => `/data/media/movies/${title} (${1940 + i * 4})/${title} (${1940 + i * 4}) - part ${part}.mkv`)),
    ...SHOWS.flatMap((show) => [1, 2, 3].flatMap((s) => [1, 2, 3, 4, 5, 6].map((e) => `/data/media/tv/${show}/Season 0${s}/${show} - S0${s}E0${e}.mkv`))),
  ],
  uhd: TITLES.slice(0, 12).map((title) => `/mnt/archive/4k/${title}/${title} - 2160p HDR.mkv`),
  music: TITLES.flatMap((artist) => [1, 2, 3, 4, 5].map((n) => `/data/media/music/${artist} Band/Greatest Hits/0${n} - Track ${n}.flac`)),
  livetv: ['http://127.0.0.1:32400/livetv/sessions/8d2c1f0e/stream.ts', 'http://127.0.0.1:32400/livetv/sessions/41aa0b7c/stream.ts'],
  none: [null],
} as const;
