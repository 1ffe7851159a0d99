// Loads a corpus sample and runs it end to end: adapt → probe → translate (software) → ffmpeg.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlexProgressReporter, type ReportedStream } from '../../../worker/plex-progress/index.ts';
import { translatePlexArgv } from '../../../worker/translate/translate.ts';
import type { TranslateResult } from '../../../worker/translate/types.ts';
import { adaptArgv, type Adaptation } from './adapt.ts';
import type { FakePms } from './fake-pms.ts';
import { probeInputs, runTranslated, type RunOutcome } from './run.ts';
import { testSrt } from './media.ts';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus');

/** The argv of corpus sample `n` ("01" …). */
export function loadSample(n: string): string[] {
  return JSON.parse(readFileSync(join(CORPUS, `${n}.json`), 'utf8')) as string[];
}

/** A finished end-to-end run. */
export interface SampleRun extends RunOutcome {
  argv: string[];
  result: TranslateResult;
  progress: string;
}

/** Adapts sample `n`, translates it for software and runs it in `session`. */
export async function runSample(n: string, session: string, pms: FakePms,
  adaptation: Omit<Adaptation, 'pms' | 'session'>, onStdout?: (c: string) => void,
  variant: (argv: string[]) => string[] = (a) => a): Promise<SampleRun> {
  // PMS stages a sidecar subtitle in the session folder as temp-0.srt.
  const inputs = adaptation.inputs.map((p) => (p === 'temp-0.srt' ? (copyFileSync(testSrt(), join(session, p)), join(session, p)) : p));
  const argv = adaptArgv(variant(loadSample(n)), { ...adaptation, inputs, pms: pms.base, session });
  const probed = probeInputs(inputs);
  const result = translatePlexArgv(argv, { backend: 'software', encoders: [], inputs: probed });
  const request = async (method: string, url: string, body?: string) => {
    const res = await fetch(url, { method, ...(body === undefined ? {} : { body }) });
    return { status: res.status, body: await res.text() };
  };
  let progress = '';
  const reporter = result.progressUrl === null ? null : createPlexProgressReporter({
    progressUrl: result.progressUrl, request, inputs: probed as unknown as { streams: ReportedStream[] }[],
    duration: probed[0]?.duration ?? 0, positionOffset: result.progressOffset,
    endAt: result.durationLimit === null ? null : result.seekOffset + result.durationLimit,
  });
  await reporter?.start();
  const outcome = await runTranslated(result, session, request, (c) => { progress += c; reporter?.push(c); onStdout?.(c); });
  await reporter?.finish();
  return { ...outcome, argv, result, progress };
}
