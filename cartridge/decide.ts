/** Where an invocation should run, and why: the cartridge's decision table (docs/CARTRIDGE.md). */
import type { InvocationKind } from '../core/plex-argv/index.ts';

/** `remote`: try the workers; `local`: run Plex's own transcoder on purpose. */
export interface Plan {
  route: 'remote' | 'local';
  /** Why it runs locally (null for remote). */
  reason: string | null;
  /** True when the call is not a media transcode and goes straight to the real transcoder. */
  passThrough: boolean;
}

const LOCAL: Partial<Record<InvocationKind, Omit<Plan, 'route'>>> = {
  'capability-query': { reason: 'pass-through: version or capability query', passThrough: true },
  unknown: { reason: 'pass-through: not a media transcode the cartridge recognises', passThrough: true },
  'audio-only': { reason: 'audio-only: cheap on this CPU, not worth moving', passThrough: false },
  detection: { reason: 'detection pass (thumbnails, fingerprints, credits): not worth moving', passThrough: false },
  remux: { reason: 'remux: stream copy needs no encoder, moving it only adds network I/O', passThrough: false },
};

/** Decides by the invocation's kind; video transcodes and Optimize jobs go to a worker. */
export function planInvocation(kind: InvocationKind): Plan {
  const local = LOCAL[kind];
  return local === undefined ? { route: 'remote', reason: null, passThrough: false } : { route: 'local', ...local };
}
