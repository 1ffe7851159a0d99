/** The shapes `plexbeam analyze --json` prints (docs/ANALYZE.md documents every field). */
import type { DecisionCounts } from '../core/feasibility/types.ts';

export type { DecisionCounts, FeasibilityClass, FeasibilityReport, Recommendation } from '../core/feasibility/types.ts';

export type Decision = 'remote' | 'local' | 'fallback';

/** How sessions ended; rates are over finished sessions (null when none finished). */
export interface Outcomes {
  ok: number;
  /** Plex stopped it (a stop or a seek): not a failure. */
  stopped: number;
  /** Ended badly, worker losses apart. */
  failed: number;
  /** The worker went away mid-transcode (Plex then restarts the transcode). */
  worker_lost: number;
  unfinished: number;
  success_rate: number | null;
  failure_rate: number | null;
}

/** Wall time of finished sessions (ended_at - started_at), in seconds. */
export interface Durations {
  count: number;
  total_s: number;
  mean_s: number | null;
  max_s: number | null;
}

/** First-segment latency (first_segment_at - started_at), nearest-rank percentiles in ms. */
export interface LatencyPercentiles {
  count: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/** One value of one facet (kind, client, protocol, resolution …). */
export interface Facet {
  value: string | null;
  count: number;
  /** Of all sessions in the view, 0..1. */
  share: number;
  by_decision: DecisionCounts;
  total_s: number;
}

/** One source → target codec pair. */
export interface CodecPair {
  from: string | null;
  to: string | null;
  count: number;
  share: number;
}

/** `plexbeam analyze --json`. */
export interface Summary {
  db: string;
  since: string | null;
  total: number;
  by_decision: DecisionCounts;
  /** Sessions with no decision recorded yet (starting, or the cartridge died before deciding). */
  undecided: number;
  first_started_at: string | null;
  last_started_at: string | null;
  outcomes: Outcomes;
  durations: Durations;
  decisions: Record<Decision, { count: number; outcomes: Outcomes; durations: Durations; first_segment: LatencyPercentiles }>;
  by_kind: Facet[];
  by_client: Facet[];
  by_protocol: Facet[];
  resolutions: Facet[];
  video_codecs: CodecPair[];
  audio_codecs: CodecPair[];
  features: { subtitle_burn_in: number; tone_mapping: number };
  /** Per fallback code (core/session-log/endings.ts); `code` null: a row from before codes, `reason` its words. */
  fallback_reasons: { code: string | null; text: string; count: number; share: number }[];
  workers: { worker: string; count: number; by_decision: DecisionCounts; outcomes: Outcomes; durations: Durations }[];
  /** Transcodes that lost their worker mid-play and went on elsewhere (`resume` events in the window). */
  resumes: ResumesSummary;
}

/** The resumes of one worker lost (`from`). */
export interface ResumeWorker {
  worker: string;
  resumes: number;
  /** Distinct sessions resumed away from it. */
  sessions: number;
  /** Always all three keys, 0 when none. */
  by_reason: { 'worker-lost': number; 'worker-failed': number; 'handed-back': number };
  /** The longest wait Plex had between segments at a resume (ms); null when none recorded a gap. */
  worst_gap_ms: number | null;
  /** Where the resumed runs went (`local`: Plex's own transcoder), most first. */
  to: { to: string; count: number }[];
}

/** `resumes` in the summary: every resume in the window, per worker lost, most first. */
export interface ResumesSummary {
  total: number;
  sessions: number;
  worst_gap_ms: number | null;
  by_worker: ResumeWorker[];
}

/** One resume of a session (`--detail`). */
export interface ResumeJson {
  at: string;
  from: string;
  to: string;
  /** The first segment number the resumed run wrote. */
  segment: number;
  /** The media time (s) it started at. */
  media_s: number;
  reason: 'worker-lost' | 'worker-failed' | 'handed-back';
  error: string | null;
  gap_ms: number | null;
}

/** One argument pattern (`--patterns`). */
export interface PatternRow {
  pattern_id: string | null;
  pattern: string | null;
  kind: string | null;
  count: number;
  share: number;
  first_seen: string;
  last_seen: string;
  example_session: string;
  by_decision: DecisionCounts;
}

/** `plexbeam analyze --patterns --json`. */
export interface PatternsReport {
  db: string;
  since: string | null;
  total: number;
  patterns: PatternRow[];
}

/** One event (`--events`). */
export interface EventJson {
  id: number;
  at: string;
  source: string;
  type: string;
  old_md5: string | null;
  new_md5: string | null;
  plex_version: string | null;
  old_plex_version: string | null;
  message: string | null;
  details: unknown;
}
