/** Turns a transcode request into the exact command the worker will run, or refuses it (400/403). */
import { createCallbackRewriter } from '../callbacks/rewrite.ts';
import { translate, type Dropped, type TranslateContext } from '../translate/index.ts';
import type { ArgvFile } from './argv-grammar.ts';
import { checkArgv } from './check-argv.ts';
import { checkCwd, mapPathsInValue, type PathPolicy } from './path-policy.ts';
import type { TranscodeRequest } from './request.ts';
import { protocolOf } from './urls.ts';

export interface PrepareContext {
  policy: PathPolicy;
  allowHttpInputs: boolean;
  translate: Omit<TranslateContext, 'callbackBase'>;
  /** Where rewritten callbacks go. */
  callbacks: { port: number; jobId: string; token: string };
}

export interface PreparedJob {
  /** ffmpeg's argv (without the worker's own `-nostdin -progress pipe:3`). */
  argv: string[];
  /** Worker-side working directory. */
  cwd: string;
  /** Plex origins the callbacks were rewritten from, by index. */
  origins: string[];
  /** Plex's `-progressurl`, already pointing at the capture server. */
  progressUrl: string | null;
  dropped: Dropped[];
  warnings: string[];
}

/** Protocols each kind of file may use, enforced by ffmpeg itself (`-protocol_whitelist`), redirects included. */
const INPUT_PROTOCOLS = 'file';
const HTTP_INPUT_PROTOCOLS = 'http,https,tcp,tls';
const OUTPUT_PROTOCOLS = 'file,http,tcp';

/** Maps paths, translates, checks every argument, rewrites callbacks and pins protocols. */
export function prepareJob(request: TranscodeRequest, context: PrepareContext): PreparedJob {
  const cwd = checkCwd(context.policy, request.cwd);
  const mapped = request.argv.map((value) => mapPathsInValue(value, context.policy.pathMap));
  const callbacks = createCallbackRewriter(context.callbacks);
  const translated = translate(mapped, { ...context.translate, callbackBase: callbacks.rewrite });
  const checked = checkArgv(translated.argv, { policy: context.policy, cwd, allowHttpInputs: context.allowHttpInputs });
  const argv = [...translated.argv];
  for (const index of checked.callbackIndices) argv[index] = callbacks.rewrite(argv[index] as string);
  return {
    argv: pinProtocols(argv, checked.files),
    cwd,
    origins: [...callbacks.origins],
    progressUrl: translated.progressUrl,
    dropped: translated.dropped,
    warnings: translated.warnings,
  };
}

/**
 * Puts `-protocol_whitelist` right before each input's `-i` and each output's name. The scan
 * already refused other protocols; this makes ffmpeg refuse them too, even where the scan
 * cannot see (a playlist inside a media file, an HTTP redirect).
 */
function pinProtocols(argv: readonly string[], files: readonly ArgvFile[]): string[] {
  const out = [...argv];
  for (const file of [...files].sort((a, b) => b.targetIndex - a.targetIndex)) {
    const isHttpInput = file.kind === 'input' && /^https?$/.test(protocolOf(file.target) ?? '');
    const list = file.kind === 'output' ? OUTPUT_PROTOCOLS : isHttpInput ? HTTP_INPUT_PROTOCOLS : INPUT_PROTOCOLS;
    const at = file.kind === 'input' ? file.targetIndex - 1 : file.targetIndex;
    out.splice(at, 0, '-protocol_whitelist', list);
  }
  return out;
}
