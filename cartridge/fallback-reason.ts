/** The fallback code of a job no worker took, from why each worker was passed over. */
import type { FallbackReason } from '../core/session-log/endings.ts';

/** Why one worker did not take a job (a FallbackReason about that worker). */
export type RejectionCode = 'no-healthy-worker' | 'workers-full' | 'cannot-encode' | 'worker-refused' | 'dispatch-failed';

// The worker that came closest to taking the job speaks for all: one that was asked (refused,
// or the POST failed) before one that was healthy but unable, before one that never answered.
const CLOSEST_FIRST: readonly RejectionCode[] = ['worker-refused', 'dispatch-failed', 'workers-full', 'cannot-encode', 'no-healthy-worker'];

/** The code recorded for a fallback after `rejected` (none at all: no worker answered). */
export function fallbackReasonOf(rejected: readonly { code: RejectionCode }[]): FallbackReason {
  return CLOSEST_FIRST.find((code) => rejected.some((r) => r.code === code)) ?? 'no-healthy-worker';
}
