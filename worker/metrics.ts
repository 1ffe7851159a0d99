/** The worker's Prometheus metrics (`GET /metrics`, text exposition format 0.0.4). */

/** Job durations are bucketed in seconds: a seek chunk takes seconds, a film hours. */
const BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400];

export type Outcome = 'completed' | 'failed' | 'cancelled' | 'handed-back';
export type Refusal = 'malformed' | 'forbidden' | 'untranslatable' | 'busy' | 'unauthorized';

export interface MetricsSnapshot {
  running: number;
  queued: number;
  max: number;
  hwaccel: string;
  encoders: readonly string[];
  /** Bytes every job's link keeps for resumes (bounded: callbacks/link-store.ts). */
  linkBytes: number;
}

export interface WorkerMetrics {
  jobStarted(): void;
  jobEnded(outcome: Outcome, seconds: number, reason?: string): void;
  refused(reason: Refusal): void;
  render(snapshot: MetricsSnapshot): string;
}

const label = (value: string) => value.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

/** Creates the counters; `render` adds the gauges read at scrape time. */
export function createMetrics(): WorkerMetrics {
  let started = 0;
  const ended = new Map<Outcome, number>();
  const failures = new Map<string, number>();
  const refusals = new Map<Refusal, number>();
  const buckets = BUCKETS.map(() => 0);
  let sum = 0;
  let count = 0;
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  return {
    jobStarted: () => void (started += 1),
    jobEnded(outcome, seconds, reason) {
      bump(ended, outcome);
      if (outcome === 'failed') bump(failures, reason ?? 'FFMPEG_FAILED');
      BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) buckets[index] = (buckets[index] ?? 0) + 1;
      });
      sum += seconds;
      count += 1;
    },
    refused: (reason) => void bump(refusals, reason),
    render(snapshot) {
      const lines = [
        '# HELP plexbeam_worker_jobs Jobs on the worker now, by state.',
        '# TYPE plexbeam_worker_jobs gauge',
        `plexbeam_worker_jobs{state="running"} ${snapshot.running}`,
        `plexbeam_worker_jobs{state="queued"} ${snapshot.queued}`,
        '# HELP plexbeam_worker_jobs_max Jobs the worker runs at once (worker.maxJobs).',
        '# TYPE plexbeam_worker_jobs_max gauge',
        `plexbeam_worker_jobs_max ${snapshot.max}`,
        '# HELP plexbeam_worker_jobs_started_total Jobs accepted.',
        '# TYPE plexbeam_worker_jobs_started_total counter',
        `plexbeam_worker_jobs_started_total ${started}`,
        '# HELP plexbeam_worker_jobs_ended_total Jobs ended, by outcome.',
        '# TYPE plexbeam_worker_jobs_ended_total counter',
        ...(['completed', 'failed', 'cancelled', 'handed-back'] as const).map((o) => `plexbeam_worker_jobs_ended_total{outcome="${o}"} ${ended.get(o) ?? 0}`),
        '# HELP plexbeam_worker_job_failures_total Failed jobs, by error code.',
        '# TYPE plexbeam_worker_job_failures_total counter',
        ...[...failures].map(([code, n]) => `plexbeam_worker_job_failures_total{code="${label(code)}"} ${n}`),
        '# HELP plexbeam_worker_requests_refused_total Transcode requests refused, by reason.',
        '# TYPE plexbeam_worker_requests_refused_total counter',
        ...(['malformed', 'forbidden', 'untranslatable', 'busy', 'unauthorized'] as const).map((r) => `plexbeam_worker_requests_refused_total{reason="${r}"} ${refusals.get(r) ?? 0}`),
        '# HELP plexbeam_worker_job_duration_seconds Wall time of ended jobs.',
        '# TYPE plexbeam_worker_job_duration_seconds histogram',
        ...BUCKETS.map((bound, index) => `plexbeam_worker_job_duration_seconds_bucket{le="${bound}"} ${buckets[index]}`),
        `plexbeam_worker_job_duration_seconds_bucket{le="+Inf"} ${count}`,
        `plexbeam_worker_job_duration_seconds_sum ${sum}`,
        `plexbeam_worker_job_duration_seconds_count ${count}`,
        '# HELP plexbeam_worker_link_buffer_bytes Bytes of link messages kept for cartridge resumes, all jobs together.',
        '# TYPE plexbeam_worker_link_buffer_bytes gauge',
        `plexbeam_worker_link_buffer_bytes ${snapshot.linkBytes}`,
        '# HELP plexbeam_worker_hwaccel The hardware path in use (1) and its working encoders.',
        '# TYPE plexbeam_worker_hwaccel gauge',
        `plexbeam_worker_hwaccel{hwaccel="${label(snapshot.hwaccel)}",encoders="${label(snapshot.encoders.join(','))}"} 1`,
      ];
      return `${lines.join('\n')}\n`;
    },
  };
}
