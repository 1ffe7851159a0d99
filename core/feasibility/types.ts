/** The shapes of `plexbeam analyze --remote-feasibility --json` (docs/ANALYZE.md documents every field). */
import type { WorkerCapability } from './capabilities.ts';
import type { Reason } from './rules.ts';
import type { InputCheckMode, InputState } from './input-reach.ts';

/** Always all three keys, 0 when none. */
export interface DecisionCounts {
  remote: number;
  local: number;
  fallback: number;
}

/** One class: sessions alike in kind, codecs, burn-in, tone-mapping and input reachability. */
export interface FeasibilityClass {
  class: string;
  kind: string;
  video_codec_in: string | null;
  video_codec_out: string | null;
  subtitle_burn_in: boolean;
  tone_mapping: boolean;
  input: InputState;
  count: number;
  transcode_s: number;
  share: number;
  by_decision: DecisionCounts;
  feasible: boolean;
  /** Time of its sessions that ran locally or fell back, if feasible (0 otherwise). */
  movable_s: number;
  reasons: Reason[];
}

/** `plexbeam analyze --remote-feasibility --json`. */
export interface FeasibilityReport {
  db: string;
  since: string | null;
  workers: WorkerCapability[];
  input_check: { mode: InputCheckMode; against: string };
  total: number;
  transcode_s: number;
  remote_s: number;
  movable_s: number;
  remote_share: number;
  movable_share: number;
  feasible_sessions: number;
  blocked_sessions: number;
  classes: FeasibilityClass[];
  reasons: { code: string; blocking: boolean; sessions: number; transcode_s: number; text: string }[];
  recommendations: Recommendation[];
}

/** One concrete change, with the sessions and transcode time it would let move. */
export interface Recommendation {
  code: string;
  text: string;
  sessions: number;
  transcode_s: number;
}
