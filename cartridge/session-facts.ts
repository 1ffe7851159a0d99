/** The session log row of an invocation: its parsed facts, with secrets and bulk left out. */
import type { PlexInvocation } from '../core/plex-argv/index.ts';
import { redactArgv } from '../core/redact.ts';
import { clientHint } from './client-hint.ts';
import type { SessionStart } from '../core/session-log/types.ts';

/** The start row of session `id`: argv redacted, env names only, and the facts with a column each. */
export function sessionStartRow(id: string, startedAt: number, argv: readonly string[], env: Readonly<Record<string, string>>, cwd: string, inv: PlexInvocation): SessionStart {
  const video = inv.video;
  const audio = inv.audio;
  return {
    id,
    startedAt,
    argv: redactArgv(argv),
    envNames: Object.keys(env).sort(),
    cwd,
    kind: inv.kind,
    pattern: inv.pattern,
    patternId: inv.patternId,
    inputPath: inv.inputs.find((input) => !input.isSidecarSubtitle)?.path ?? inv.inputs[0]?.path ?? null,
    // Without a video output (detection) the first decoder Plex names is the video's; music has none.
    videoCodecIn: video?.sourceCodec ?? (inv.kind === 'audio-only' ? null : (inv.inputs[0]?.decoders[0]?.codec ?? null)),
    videoCodecOut: video?.codec ?? null,
    audioCodecIn: audio?.sourceCodec ?? null,
    audioCodecOut: audio?.codec ?? null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    videoBitrate: video?.bitrate ?? video?.maxrate ?? null,
    audioBitrate: audio?.bitrate ?? null,
    container: inv.container,
    protocol: inv.protocol,
    subtitleBurnIn: inv.subtitleBurnIn !== null,
    subtitleKind: inv.subtitleBurnIn?.kind ?? null,
    toneMapping: inv.toneMapping.enabled,
    hwDecode: inv.hardware.hwaccels[0] ?? null,
    seekS: inv.seekSeconds,
    client: clientHint(cwd, inv.callbackUrls, argv),
    facts: compactFacts(inv),
  };
}

/** The invocation without its per-option lists (the argv column has those), for `analyze --detail`. */
function compactFacts(inv: PlexInvocation): Record<string, unknown> {
  const { globalOptions: _globals, trailingOptions: _trailing, inputs, outputs, ...rest } = inv;
  return {
    ...rest,
    callbackUrls: inv.callbackUrls.map((url) => ({ ...url, url: redactArgv([url.url])[0] })),
    inputs: inputs.map(({ options: _options, ...input }) => input),
    outputs: outputs.map(({ options: _options, ...output }) => output),
  };
}
