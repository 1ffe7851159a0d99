/** Concrete changes that would let more sessions move, each with the sessions and time it concerns. */
import { FALLBACK_REASON_TEXT, isFallbackReason, type FallbackReason } from '../session-log/endings.ts';
import type { WorkerCapability } from './capabilities.ts';
import { formatCount, formatDuration, formatPercent, formatTime } from './numbers.ts';
import { mergeRoots, type InputCheck } from './input-reach.ts';
import { seconds } from './sql.ts';
import type { FeasibilityClass, Recommendation } from './types.ts';

/** What the recommendations are drawn from. */
export interface RecommendInput {
  classes: readonly FeasibilityClass[];
  /** Fallback codes of feasible classes: sessions that could have moved but did not. */
  fallbacks: readonly { reason: string | null; count: number; durationMs: number }[];
  /** Folders of unmapped transcode inputs. */
  unmapped: readonly { root: string; count: number; durationMs: number }[];
  capabilities: readonly WorkerCapability[];
  inputCheck: InputCheck;
  healthTimeoutMs: number;
  totalMs: number;
  /** A session id that fell back for code `reason`, for `--detail`. */
  exampleOf: (reason: string | null) => string | null;
}

const SOFTWARE: Record<string, string> = { h264: 'libx264', hevc: 'libx265', av1: 'libsvtav1' };
/** Which advice each fallback code gets (core/session-log/endings.ts); every other code: investigate. */
const ADVICE: Partial<Record<FallbackReason, 'capacity' | 'reach'>> = { 'workers-full': 'capacity', 'no-healthy-worker': 'reach' };

/** The recommendations, largest effect first (adding a worker, when none is configured, leads). */
export function recommend(input: RecommendInput): Recommendation[] {
  const out: Recommendation[] = [];
  const share = (ms: number) => `${formatDuration(ms / 1000)}, ${formatPercent(input.totalMs > 0 ? ms / input.totalMs : 0)} of transcode time`;
  // Classes whose every blocking reason is among `codes`: what fixing those would let move.
  const unblocked = (codes: (code: string) => boolean) => {
    const hit = input.classes.filter((c) => c.reasons.some((r) => r.blocking) && c.reasons.every((r) => !r.blocking || codes(r.code)));
    const ms = hit.reduce((sum, c) => sum + c.transcode_s * 1000, 0);
    return { sessions: hit.reduce((sum, c) => sum + c.count, 0), ms };
  };
  const push = (code: string, text: string, sessions: number, ms: number) => out.push({ code, text, sessions, transcode_s: seconds(ms) });

  const noWorker = unblocked((code) => code === 'no-worker-configured');
  if (input.classes.some((c) => c.reasons.some((r) => r.code === 'no-worker-configured'))) {
    push('add-worker', `add a worker: list it under \`workers\` in the config ([{ "url": "http://gpu-box:8765", "apiKey": "…" }]); ${formatCount(noWorker.sessions)} transcodes (${share(noWorker.ms)}) could then move`, noWorker.sessions, noWorker.ms);
  }
  for (const root of mergeRoots(input.unmapped).sort((a, b) => b.durationMs - a.durationMs).slice(0, 5)) {
    const covers = root.covers.length > 1 ? ` (covers ${root.covers.join(', ')})` : '';
    push(
      `map-path:${root.root}`,
      `add a pathMap entry for ${root.root}${covers}: { "from": "${root.root}", "to": "<where the worker mounts it>" } in the worker's worker.pathMap, with that folder in its worker.mediaRoots; ${formatCount(root.count)} transcodes (${share(root.durationMs)}) read from there`,
      root.count,
      root.durationMs,
    );
  }
  const configured = input.capabilities.filter((w) => w.configured);
  const families = new Set(input.classes.flatMap((c) => c.reasons.filter((r) => r.code.startsWith('codec-unsupported:')).map((r) => r.code.slice('codec-unsupported:'.length))));
  for (const family of families) {
    const effect = unblocked((code) => code === `codec-unsupported:${family}`);
    const names = configured.filter((w) => w.source !== 'none').map((w) => w.worker).join(', ');
    push(
      `enable-encoder:${family}`,
      `enable ${family.toUpperCase()} encoding on a worker: none of the probed workers (${names}) has a ${family} encoder; \`plexbeam probe\` on a worker lists what passed (NVENC, Quick Sync or VAAPI ${family} need a GPU that has it${SOFTWARE[family] ? `; ${SOFTWARE[family]} with worker.hwaccel "software" works anywhere, on the CPU` : ''}); ${formatCount(effect.sessions)} transcodes (${share(effect.ms)}) need it`,
      effect.sessions,
      effect.ms,
    );
  }
  for (const worker of configured.filter((w) => w.source !== 'live')) {
    const known = worker.source === 'last-known' ? `; this report uses what it reported on ${formatTime(worker.seen_at)}` : ' and has never answered before, so its encoders are unknown';
    push(`check-worker:${worker.worker}`, `worker ${worker.worker} (${worker.url}) is not answering GET /health (${worker.error})${known}; run \`plexbeam doctor\``, 0, 0);
  }
  addFallbackAdvice(input, push, share);
  if (input.classes.some((c) => c.reasons.some((r) => r.code === 'input-url'))) {
    const effect = unblocked((code) => code === 'input-url');
    push('allow-http-inputs', `set worker.allowHttpInputs to true on a worker that can reach these network inputs; ${formatCount(effect.sessions)} transcodes (${share(effect.ms)}) read URLs`, effect.sessions, effect.ms);
  }
  const unchecked = input.classes.filter((c) => c.reasons.some((r) => r.code === 'input-mapping-unknown'));
  if (input.inputCheck.mode === 'unknown' && unchecked.length > 0) {
    const ms = unchecked.reduce((sum, c) => sum + c.transcode_s * 1000, 0);
    const sessions = unchecked.reduce((sum, c) => sum + c.count, 0);
    push('describe-worker-paths', `copy the worker's worker.pathMap and worker.mediaRoots into this machine's config, so analyze can check ${formatCount(sessions)} transcodes' inputs (${share(ms)}) against them`, sessions, ms);
  }
  return out.sort((a, b) => Number(b.code === 'add-worker') - Number(a.code === 'add-worker') || b.transcode_s - a.transcode_s || a.code.localeCompare(b.code));
}

/** Advice from why feasible sessions fell back: capacity, reachability, or anything else. */
function addFallbackAdvice(input: RecommendInput, push: (code: string, text: string, sessions: number, ms: number) => void, share: (ms: number) => string): void {
  const groups = { capacity: [] as RecommendInput['fallbacks'][number][], reach: [] as RecommendInput['fallbacks'][number][], other: [] as RecommendInput['fallbacks'][number][] };
  for (const fallback of input.fallbacks) {
    groups[isFallbackReason(fallback.reason) ? (ADVICE[fallback.reason] ?? 'other') : 'other'].push(fallback);
  }
  const sum = (list: RecommendInput['fallbacks'][number][]) => ({ n: list.reduce((s, f) => s + f.count, 0), ms: list.reduce((s, f) => s + f.durationMs, 0) });
  const capacity = sum(groups.capacity);
  if (capacity.n > 0) push('add-capacity', `${formatCount(capacity.n)} transcodes (${share(capacity.ms)}) fell back because every worker was full: raise worker.maxJobs on a worker with headroom, or add a worker`, capacity.n, capacity.ms);
  const reach = sum(groups.reach);
  if (reach.n > 0) {
    push('check-reachability', `${formatCount(reach.n)} transcodes (${share(reach.ms)}) fell back because no worker answered in time: check the workers stay up and reachable (\`plexbeam doctor\`), or raise healthTimeoutMs (now ${input.healthTimeoutMs} ms) if they answer slowly`, reach.n, reach.ms);
  }
  const other = sum(groups.other);
  if (other.n > 0) {
    const top = [...groups.other].sort((a, b) => b.count - a.count)[0]?.reason ?? null;
    const id = input.exampleOf(top);
    const example = id === null ? '' : `; \`plexbeam analyze --detail ${id}\` shows one`;
    const meaning = isFallbackReason(top) ? `${top} (${FALLBACK_REASON_TEXT[top]})` : (top ?? 'no code recorded: sessions from before fallback codes');
    push('investigate-fallbacks', `${formatCount(other.n)} transcodes (${share(other.ms)}) fell back for other reasons, most often ${meaning}${example}`, other.n, other.ms);
  }
}
