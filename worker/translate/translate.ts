// translatePlexArgv: Plex's `Plex Transcoder` argv → a stock ffmpeg 5.1 argv for this worker.
import { describeOption } from '../../core/ffmpeg-grammar/index.ts';
import { lastValue, parseFfmpegArgv, serializeArgv, type ArgvModel, type FileArgs, type Opt } from './argv-model.ts';
import { encoderKind, encoderNeedsDevice } from './codec-map.ts';
import { parseFiltergraph, serializeFiltergraph } from './filtergraph.ts';
import { rewriteFiltergraph, type GraphEnv } from './graph-rewrite.ts';
import { deviceInitArgs } from './hw-backends.ts';
import type { SubtitleSource } from './inlineass.ts';
import { translateGlobals } from './global-options.ts';
import { translateInput, type InputDecode } from './input-options.ts';
import { translateDashOutput } from './muxer-dash.ts';
import { isSegmentMuxer, translateSegmentOutput } from './muxer-segment.ts';
import { encoderOfMapped, translateOutputOptions } from './output-options.ts';
import { matchStreams, parseTime, subtitleOrdinal } from './stream-spec.ts';
import type { Dropped, PostProcessDesc, TranslateContext, TranslateResult } from './types.ts';

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//i;

/** Translates a Plex transcoder argv (without program name) for the worker described by `ctx`. */
export function translatePlexArgv(argv: readonly string[], ctx: TranslateContext): TranslateResult {
  const model = parseFfmpegArgv(argv);
  const dropped: Dropped[] = [];
  const warnings: string[] = [];
  const rehome = (url: string): string => (LOOPBACK.test(url) && ctx.callbackBase ? ctx.callbackBase(url) : url);
  for (const o of model.trailing) dropped.push({ option: `-${o.name}`, value: o.value, reason: 'after the last output: ffmpeg ignores it' });
  const plex = translateGlobals(model.globals, dropped);
  const seekOffset = parseTime(lastValue(model.inputs[0]?.options ?? [], ['ss'])) ?? 0;
  const decodes = model.inputs.map((input, i) => translateInput(input, ctx.inputs?.[i], ctx, dropped));
  dropDecodeSinks(model, plex.inlineass, dropped);
  const postProcess: PostProcessDesc[] = [];
  const stageId = (i: number): string => (ctx.stageTag ? `${ctx.stageTag}-${i}` : String(i));
  model.outputs.forEach((out, i) => {
    translateOutputOptions(out, ctx, dropped, warnings);
    const format = lastValue(out.options, ['f']);
    if (isSegmentMuxer(format)) postProcess.push(translateSegmentOutput(out, stageId(i), { seekOffset, copyts: plex.copyts }, rehome, dropped));
    else if (format === 'dash') postProcess.push(translateDashOutput(out, stageId(i), plex.copyts ? seekOffset : 0, rehome, dropped));
    for (const o of out.options) if (o.value !== null && LOOPBACK.test(o.value)) o.value = rehome(o.value);
  });
  const subtitle = subtitleSource(model, ctx, plex.inlineass, plex.copyts);
  const env = graphEnv(model, ctx, decodes, subtitle, warnings);
  for (const g of model.globals.filter((o) => o.name === 'filter_complex' || o.name === 'lavfi')) {
    g.value = serializeFiltergraph(rewriteFiltergraph(parseFiltergraph(g.value ?? ''), env));
  }
  for (const out of model.outputs) {
    for (const o of out.options.filter((f) => f.name === 'vf' || (f.name === 'filter' && (f.spec ?? 'v').startsWith('v')))) {
      const need = needOf(encoderOfMapped(out, 0));
      o.value = serializeFiltergraph(rewriteFiltergraph(parseFiltergraph(o.value ?? ''), { ...env, outputNeeds: () => need }));
    }
  }
  const usesDevice = ctx.backend !== 'software' && (decodes.some((d) => d.accel) ||
    model.outputs.some((o) => o.options.some((c) => c.value !== null && ['nvenc', 'vaapi', 'qsv'].includes(encoderKind(c.value)))));
  if (usesDevice) model.globals.unshift(...deviceInitArgs(ctx).map((d) => ({ name: d.name, spec: null, value: d.value })));
  dropUnhandledPlexOptions(model, dropped);
  const segments = postProcess.find((p) => p.kind === 'ssegment');
  return {
    argv: serializeArgv(model),
    progressUrl: plex.progressUrl === null ? null : rehome(plex.progressUrl),
    segmentList: segments?.kind === 'ssegment'
      ? { url: segments.listUrl, file: segments.listFile, localList: segments.localList, separateStreamTimes: segments.separateStreamTimes }
      : null,
    postProcess,
    seekOffset,
    // ffmpeg's out_time never includes the seek: with -copyts it subtracts the first output pts.
    progressOffset: seekOffset,
    durationLimit: parseTime(lastValue(model.outputs[0]?.options ?? [], ['t'])),
    dropped,
    warnings,
  };
}

/**
 * The safety net for Plex's vocabulary: a Plex-only option (core/ffmpeg-grammar marks them) that
 * no rule above translated or removed would make stock ffmpeg exit with "Unrecognized option".
 * Plex adds such options over time (`-eae_batch_frames`, `-eae_max_files` …); dropping the ones
 * with no rule keeps the play running, and the `dropped` list says so.
 */
function dropUnhandledPlexOptions(model: ArgvModel, dropped: Dropped[]): void {
  const keep = (o: Opt): boolean => {
    if (!describeOption(`-${o.name}`).plexOnly) return true;
    dropped.push({ option: `-${o.name}${o.spec === null ? '' : `:${o.spec}`}`, value: o.value, reason: 'Plex-only option with no stock equivalent' });
    return false;
  };
  model.globals = model.globals.filter(keep);
  for (const file of [...model.inputs, ...model.outputs]) file.options = file.options.filter(keep);
}

/** What an encoder needs its frames in. */
const needOf = (encoder: string | undefined): 'hw' | 'sw' | 'any' =>
  encoder === undefined ? 'any' : encoderNeedsDevice(encoder) ? 'hw' : encoderKind(encoder) === 'nvenc' ? 'any' : 'sw';

/** Pad facts for the graph rewrite. */
function graphEnv(model: ArgvModel, ctx: TranslateContext, decodes: InputDecode[], subtitle: SubtitleSource | null, warnings: string[]): GraphEnv {
  return {
    backend: ctx.backend, subtitle, warnings, ...(ctx.fontsDir ? { fontsDir: ctx.fontsDir } : {}),
    inputState: (label) => {
      const m = /^(\d+)(?::(.*))?$/.exec(label);
      const file = Number(m?.[1] ?? -1);
      const spec = m?.[2] ?? null;
      const stream = matchStreams(ctx.inputs?.[file], spec)[0];
      const hw = decodes[file]?.hwSpecs;
      const onDevice = hw !== undefined && (hw.has(spec) || (hw.has(null) && (stream?.codec_type ?? 'video') === 'video'));
      return { loc: onDevice ? 'hw' : 'sw', swFormat: stream?.pix_fmt?.includes('10') ? 'p010' : 'nv12',
        ...(stream?.color_transfer ? { transfer: stream.color_transfer } : {}) };
    },
    outputNeeds: (label) => {
      for (const out of model.outputs) {
        const maps = out.options.filter((o) => o.name === 'map');
        const k = maps.findIndex((o) => o.value === `[${label}]`);
        if (k >= 0) return needOf(encoderOfMapped(out, k));
      }
      return 'any';
    },
  };
}

/** Resolves `-map_inlineass` to a file and subtitle index for `subtitles=`. */
function subtitleSource(model: ArgvModel, ctx: TranslateContext, spec: { file: number; spec: string } | null, copyts: boolean): SubtitleSource | null {
  if (spec === null) return null;
  const input = model.inputs[spec.file];
  if (!input) return null;
  const ordinal = subtitleOrdinal(ctx.inputs?.[spec.file], spec.spec);
  const seek = parseTime(lastValue(model.inputs[0]?.options ?? [], ['ss'])) ?? 0;
  return { file: input.url, subtitleIndex: ordinal ?? 0, timeShift: copyts ? 0 : seek };
}

/** Drops Plex's `-f null` outputs that only decode the burned-in subtitle stream for inlineass. */
function dropDecodeSinks(model: ArgvModel, inlineass: { file: number; spec: string } | null, dropped: Dropped[]): void {
  if (inlineass === null) return;
  const isSink = (out: FileArgs): boolean => lastValue(out.options, ['f']) === 'null' &&
    out.options.filter((o) => o.name === 'map').every((o) => o.value === `${inlineass.file}:${inlineass.spec}`);
  for (const out of model.outputs.filter(isSink)) {
    dropped.push({ option: 'output', value: out.url, reason: "inlineass decode sink; subtitles= reads the stream itself" });
  }
  model.outputs = model.outputs.filter((o) => !isSink(o));
}
