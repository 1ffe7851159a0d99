/** Why a class of sessions can or cannot run on a worker: stable reason codes with a sentence each. */
import type { WorkerCapability } from './capabilities.ts';
import type { InputState } from './input-reach.ts';
import { codecFamily } from '../codec-family.ts';

/** One reason; any blocking reason makes the class infeasible. */
export interface Reason {
  code: string;
  blocking: boolean;
  text: string;
}

/** What the rules look at for one class. */
export interface ClassFacts {
  kind: string;
  videoOut: string | null;
  burnIn: boolean;
  toneMapping: boolean;
  input: InputState;
  count: number;
  fallbacks: number;
  /** Most common fallback reasons of the class (any input), with counts. */
  fallbackReasons: readonly [string | null, number][];
}

/** What the rules know about the set-up. */
export interface SetupFacts {
  /** Workers in this config (live or last-known capabilities, or none known). */
  workers: readonly WorkerCapability[];
  allowHttpInputs: boolean;
}

const NOT_WORTH: Record<string, string> = {
  'audio-only': 'audio-only transcodes (music) need little CPU; a worker would add network and start-up time for nothing',
  detection: "Plex's analysis jobs (intro and credit detection, thumbnails, loudness) read a whole file for little encoding; they stay local",
  'capability-query': "version and capability queries end in milliseconds and are passed straight to Plex's transcoder",
  remux: 'stream copies (direct stream) re-wrap without encoding; a worker would only add network I/O',
};

export { codecFamily };

const SOFTWARE_ENCODER = /^lib/;

/** Every reason that applies to a class, blocking ones first. */
export function reasonsFor(facts: ClassFacts, setup: SetupFacts): Reason[] {
  const reasons: Reason[] = [];
  const add = (code: string, blocking: boolean, text: string) => reasons.push({ code, blocking, text });
  const notWorth = NOT_WORTH[facts.kind];
  if (notWorth !== undefined) return [{ code: `not-worth-moving:${facts.kind}`, blocking: true, text: notWorth }];
  if (facts.kind !== 'video-transcode' && facts.kind !== 'optimize') {
    return [{ code: 'unclassified', blocking: true, text: "PlexBeam could not classify these invocations, so they pass straight to Plex's transcoder (see --patterns)" }];
  }
  const configured = setup.workers.filter((w) => w.configured);
  if (configured.length === 0) add('no-worker-configured', true, 'no worker is configured (`workers` in the config), so every transcode runs locally');

  if (facts.input === 'unmapped') add('input-unmapped', true, 'the input is outside every media path the worker can open (worker.pathMap, worker.mediaRoots)');
  else if (facts.input === 'loopback-url') add('input-loopback-url', true, "the input is a URL on Plex's own loopback (Live TV, DVR), which a worker cannot reach");
  else if (facts.input === 'url' && !setup.allowHttpInputs) add('input-url', true, 'the input is a network URL, which the worker refuses unless worker.allowHttpInputs is true');
  else if (facts.input === 'unknown') add('input-mapping-unknown', false, 'whether the worker can open the input is unknown: this config has no worker.pathMap or worker.mediaRoots to check it against');

  const family = codecFamily(facts.videoOut);
  const known = configured.filter((w) => w.source !== 'none');
  if (family !== null && known.length > 0) {
    const able = known.filter((w) => w.encoders.some((e) => codecFamily(e) === family));
    const names = known.map((w) => w.worker).join(', ');
    if (able.length === 0) add(`codec-unsupported:${family}`, true, `no worker can encode ${family}: the probed encoders of ${names} have none for it`);
    else if (able.every((w) => w.encoders.filter((e) => codecFamily(e) === family).every((e) => SOFTWARE_ENCODER.test(e)))) {
      add(`software-encode:${family}`, false, `only software encoders can produce ${family} on ${able.map((w) => w.worker).join(', ')}: it moves, but uses the worker's CPU, not its GPU`);
    }
  } else if (family !== null && configured.length > 0) {
    add('worker-capabilities-unknown', false, 'no worker answered /health and none has answered before, so its encoders are unknown');
  }

  if (facts.burnIn) {
    add('subtitle-burn-in', false, "burn-in runs on the worker: Plex's inlineass becomes stock subtitles/ass (with the worker's fonts) and image subtitles an overlay; frames make a GPU→CPU→GPU round trip for the software filter, so it costs more CPU than a plain transcode");
  }
  if (facts.toneMapping) {
    add('hdr-tone-mapping', false, "HDR→SDR tone-mapping runs on the worker's CPU with zscale + tonemap, which stock ffmpeg always has; a 4K HDR stream may need several cores to keep up in real time");
  }
  if (facts.fallbacks > 0) {
    const top = facts.fallbackReasons.slice(0, 3).map(([code, n]) => `${code ?? 'no code recorded'} (${n})`).join(', ');
    add('remote-failed-before', false, `${facts.fallbacks} of ${facts.count} sessions wanted a worker and fell back${top ? `: ${top}` : ''}`);
  }
  return reasons.sort((a, b) => Number(b.blocking) - Number(a.blocking));
}

/** A reason's text for the totals table: the class-specific ones get a general sentence. */
export function summaryText(reason: Reason): string {
  return reason.code === 'remote-failed-before' ? 'sessions that wanted a worker and fell back to local (reasons per class)' : reason.text;
}
