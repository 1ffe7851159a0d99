/** parsePlexArgv: every fact PlexBeam needs from one `Plex Transcoder` argv. Never throws. */
import { findHardware, findToneMapping } from './acceleration.ts';
import { findBurnIn } from './burn-in.ts';
import { classifyInvocation } from './classify.ts';
import { containerOf, protocolOf, segmentsOf } from './delivery.ts';
import type { PlexInvocation } from './fact-types.ts';
import { createGraphParser, type GraphFilter, type GraphParser } from './filter-graph.ts';
import { buildInput, lastValue } from './inputs.ts';
import { buildOutputs, mainOutputs } from './outputs.ts';
import { patternIdOf, patternOf } from './pattern.ts';
import { audioFacts, videoFacts } from './stream-facts.ts';
import { tokenizeArgv } from './tokenize.ts';
import { findUrls } from './urls.ts';
import type { ArgvOption, OutputStream, PlexOutput, StreamKind } from './types.ts';
import { parseDuration } from './values.ts';

function graphsOf(options: readonly ArgvOption[], base: string, graphOf: GraphParser): (readonly GraphFilter[])[] {
  return options.filter((o) => o.base === base && o.value !== null).map((o) => graphOf(o.value as string));
}

function firstStream(outputs: readonly PlexOutput[], kind: StreamKind): [PlexOutput, OutputStream] | null {
  for (const output of outputs) {
    const stream = output.streams.find((s) => s.kind === kind);
    if (stream) return [output, stream];
  }
  return null;
}

function parse(argv: readonly string[]): PlexInvocation {
  const tokens = tokenizeArgv(argv);
  const inputs = tokens.inputs.map(buildInput);
  const graphOf = createGraphParser();
  const complex = graphsOf(tokens.globals, 'filter_complex', graphOf);
  const { outputs, paths } = buildOutputs(tokens.outputs, inputs, complex, graphOf);
  const graphs = [...complex, ...outputs.flatMap((o) => graphsOf(o.options, 'filter', graphOf))];
  const main = mainOutputs(outputs);
  const primary = main[0];
  const mainInput = inputs.find((input) => !input.isSidecarSubtitle) ?? inputs[0];
  const video = firstStream(main, 'video');
  const audio = firstStream(main, 'audio');
  const pattern = patternOf(argv, tokens, graphOf);
  const urls = findUrls(argv, tokens);
  return {
    kind: classifyInvocation(argv, tokens, inputs, outputs),
    globalOptions: tokens.globals,
    inputs,
    outputs,
    trailingOptions: tokens.trailing,
    seekSeconds: mainInput?.seekSeconds ?? parseDuration(lastValue(primary?.options ?? [], 'ss')),
    durationSeconds: parseDuration(lastValue(primary?.options ?? [], 't') ?? lastValue(mainInput?.options ?? [], 't')),
    video: video ? videoFacts(video[0], video[1], paths.get(video[1]) ?? []) : null,
    audio: audio ? audioFacts(audio[0], audio[1], paths.get(audio[1]) ?? []) : null,
    format: primary?.format ?? null,
    protocol: protocolOf(primary),
    container: containerOf(primary),
    segments: segmentsOf(primary),
    callbackUrls: urls.callbacks,
    remoteUrls: urls.remote,
    subtitleBurnIn: findBurnIn(graphs, tokens.globals, inputs),
    toneMapping: findToneMapping(graphs),
    hardware: findHardware(tokens.globals, inputs, outputs, graphs),
    unknownOptions: tokens.unknown,
    warnings: tokens.warnings,
    pattern,
    patternId: patternIdOf(pattern),
  };
}

/** An invocation that says only that parsing failed (a bug; kept from reaching the shim). */
function failedParse(argv: readonly string[], error: unknown): PlexInvocation {
  const pattern = argv.join(' ');
  return {
    kind: 'unknown', globalOptions: [], inputs: [], outputs: [], trailingOptions: [], seekSeconds: null,
    durationSeconds: null, video: null, audio: null, format: null, protocol: 'none', container: null,
    segments: null, callbackUrls: [], remoteUrls: [], subtitleBurnIn: null,
    toneMapping: { enabled: false, filters: [] },
    hardware: { hwaccels: [], devices: [], filterDevice: null, decoders: [], encoders: [], filters: [], apis: [] },
    unknownOptions: [], warnings: [`internal parser error: ${String(error)}`], pattern, patternId: patternIdOf(pattern),
  };
}

/**
 * Parses a `Plex Transcoder` argv (program name excluded) into facts. Never throws: unknown
 * options go to `unknownOptions`, grammar problems to `warnings`, and the kind is `unknown` when
 * it cannot tell.
 */
export function parsePlexArgv(argv: readonly string[]): PlexInvocation {
  let list: string[] = [];
  try {
    list = Array.isArray(argv) ? Array.from(argv, (token) => String(token)) : [];
    return parse(list);
  } catch (error) {
    return failedParse(list, error);
  }
}
