/**
 * Turns a transcode request into the exact command the worker will run, or refuses it: 400
 * malformed, 403 forbidden, 422 untranslatable. The order: pathMap → check Plex's argv → translate
 * for this worker → check the translated argv again (it is what runs) → rewrite callbacks → pin
 * protocols. `commandFor` repeats the last steps once the runner has probed the inputs.
 */
import { createCallbackRewriter } from '../callbacks/rewrite.ts';
import { demuxerWhitelist } from '../../core/ffmpeg-grammar/index.ts';
import { translate, type ProbedInput, type TranslateContext, type Translation } from '../translate/index.ts';
import type { ArgvFile } from './argv-grammar.ts';
import { checkArgv, type CheckContext } from './check-argv.ts';
import { checkCwd, mapPathsInValue, type PathPolicy } from './path-policy.ts';
import type { TranscodeRequest } from './request.ts';
import { protocolOf } from './urls.ts';

export { argvVerdict, checkArgv, type CheckContext, type CheckedArgv } from './check-argv.ts';
export type { FileAccess } from './path-policy.ts';

/** What the sandbox needs: the roots, the probed backend, where callbacks go. */
export interface PrepareContext {
  policy: PathPolicy;
  allowHttpInputs: boolean;
  /** The probed backend and its working encoders (`inputs` come later, from the runner's ffprobe). */
  translate: Omit<TranslateContext, 'callbackBase' | 'inputs' | 'stageTag'>;
  /** Where rewritten callbacks go. */
  callbacks: { port: number; jobId: string; token: string };
  /** Stream mode: the prefix of the job's input URLs (worker/stream), the only loopback inputs allowed. */
  streamInputBase?: string;
}

/** What runs: ffmpeg's argv and the translation it came from (publishers, progress URL, offsets). */
export interface JobCommand {
  /** ffmpeg's argv, checked and protocol-pinned (without the runner's own `-nostdin -progress pipe:3`). */
  argv: string[];
  /** `progressUrl` already points at the capture server (or is null). */
  translation: Translation;
}

/** A request checked and translated: enough to start the job later. */
export interface PreparedJob {
  /** Worker-side working directory. */
  cwd: string;
  /** The `-i` values after pathMap, in order: what the runner probes. */
  inputs: string[];
  /** Plex origins the callbacks were rewritten from, by index. */
  origins: readonly string[];
  /** Prefix of every capture-server URL of this job (the only place its own requests may go). */
  callbackBase: string;
  /** The command translated without input facts: proof, at POST time, that the job can run. */
  command: JobCommand;
  /** Translates and checks again with ffprobe facts of the inputs (throws 403/422 as POST would). */
  commandFor(inputs: readonly (ProbedInput | undefined)[]): JobCommand;
}

/** Protocols each kind of file may use, enforced by ffmpeg itself (`-protocol_whitelist`), redirects included. */
const INPUT_PROTOCOLS = 'file';
const HTTP_INPUT_PROTOCOLS = 'http,https,tcp,tls';
const OUTPUT_PROTOCOLS = 'file,http,tcp';

/** Maps paths, checks Plex's argv, translates it, checks the result, rewrites callbacks and pins protocols. */
export function prepareJob(request: TranscodeRequest, context: PrepareContext): PreparedJob {
  const cwd = checkCwd(context.policy, request.cwd);
  const mapped = request.argv.map((value) => mapPathsInValue(value, context.policy.pathMap));
  const check: CheckContext = { policy: context.policy, cwd, allowHttpInputs: context.allowHttpInputs, ...(context.streamInputBase === undefined ? {} : { streamInputBase: context.streamInputBase }) };
  // Plex's argv first: a refusal then names what the client sent, not what the translation made of it.
  const client = checkArgv(mapped, { ...check, plexArgv: true });
  const callbacks = createCallbackRewriter(context.callbacks);
  const commandFor = (inputs?: readonly (ProbedInput | undefined)[]): JobCommand => {
    const translation = translate(mapped, {
      ...context.translate,
      callbackBase: callbacks.rewrite,
      stageTag: context.callbacks.jobId.slice(0, 8),
      ...(inputs === undefined ? {} : { inputs }),
    });
    // Defence in depth: the translated argv is what runs, so it must pass on its own.
    const checked = checkArgv(translation.argv, check);
    const argv = [...translation.argv];
    for (const index of checked.callbackIndices) argv[index] = callbacks.rewrite(argv[index] as string);
    const progressUrl = translation.progressUrl === null ? null : callbacks.capture(translation.progressUrl);
    return { argv: pinProtocols(argv, checked.files), translation: { ...translation, progressUrl } };
  };
  return {
    cwd,
    inputs: client.files.filter((file) => file.kind === 'input').map((file) => file.target),
    origins: callbacks.origins,
    callbackBase: callbacks.base,
    command: commandFor(),
    commandFor,
  };
}

/**
 * Puts `-protocol_whitelist` right before each input's `-i` and each output's name, and
 * `-format_whitelist` before each input. The scan already refused other protocols and formats;
 * this makes ffmpeg refuse them too where the scan cannot see: an HTTP redirect, or a file in a
 * media root whose content is a concat/HLS playlist or an image pattern (content detection may
 * pick only the allowed demuxers). The grammar split the argv as ffmpeg does, so `-i` and each
 * output name are at option boundaries: nothing before them can take the pins as its value.
 */
function pinProtocols(argv: readonly string[], files: readonly ArgvFile[]): string[] {
  const out = [...argv];
  for (const file of [...files].sort((a, b) => b.targetIndex - a.targetIndex)) {
    const isHttpInput = file.kind === 'input' && /^https?$/.test(protocolOf(file.target) ?? '');
    const list = file.kind === 'output' ? OUTPUT_PROTOCOLS : isHttpInput ? HTTP_INPUT_PROTOCOLS : INPUT_PROTOCOLS;
    const at = file.kind === 'input' ? file.targetIndex - 1 : file.targetIndex;
    const formats = file.kind === 'input' ? ['-format_whitelist', demuxerWhitelist(isHttpInput)] : [];
    out.splice(at, 0, ...formats, '-protocol_whitelist', list);
  }
  return out;
}
