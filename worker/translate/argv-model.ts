// ffmpeg's command-line grammar (core/ffmpeg-grammar): global options, inputs and outputs, each with its own options.
import { describeOption } from '../../core/ffmpeg-grammar/index.ts';

/** One option as written: `-name:spec value` (spec and value may be absent). */
export interface Opt {
  name: string;
  spec: string | null;
  value: string | null;
}

/** One input (`-i url`) or output (`url`) with the per-file options written before it. */
export interface FileArgs {
  options: Opt[];
  url: string;
}

/** An argv split the way ffmpeg scopes it. */
export interface ArgvModel {
  globals: Opt[];
  inputs: FileArgs[];
  outputs: FileArgs[];
  /** Per-file options after the last output: ffmpeg ignores them with a warning. */
  trailing: Opt[];
}

/** Splits `-name:spec` into its parts. */
export function splitOptionToken(token: string): { name: string; spec: string | null } {
  const body = token.slice(1);
  const colon = body.indexOf(':');
  if (colon < 0) return { name: body, spec: null };
  return { name: body.slice(0, colon), spec: body.slice(colon + 1) };
}

/** Parses an ffmpeg argv (without the program name) into globals, inputs and outputs. */
export function parseFfmpegArgv(argv: readonly string[]): ArgvModel {
  const model: ArgvModel = { globals: [], inputs: [], outputs: [], trailing: [] };
  let pending: Opt[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (!token.startsWith('-') || token === '-' || token.length === 1) {
      model.outputs.push({ options: pending, url: token });
      pending = [];
      continue;
    }
    const { name, spec } = splitOptionToken(token);
    const info = describeOption(token);
    // Print-and-exit options take the next token only when there is one (ffmpeg's OPT_EXIT).
    const takesValue = info.takesValue && (info.arity !== 'exit' || i + 1 < argv.length);
    const value = takesValue ? (argv[++i] ?? '') : null;
    if (name === 'i') {
      model.inputs.push({ options: pending, url: value ?? '' });
      pending = [];
    } else if (info.scope === 'global') {
      model.globals.push({ name, spec, value });
    } else {
      pending.push({ name, spec, value });
    }
  }
  model.trailing = pending;
  return model;
}

/** Writes one option back as argv tokens. */
export function optionTokens(opt: Opt): string[] {
  const head = `-${opt.name}${opt.spec === null ? '' : `:${opt.spec}`}`;
  return opt.value === null ? [head] : [head, opt.value];
}

/** Serialises a model: globals, then each input, then each output (trailing options dropped). */
export function serializeArgv(model: ArgvModel): string[] {
  const out: string[] = [];
  for (const opt of model.globals) out.push(...optionTokens(opt));
  for (const input of model.inputs) {
    for (const opt of input.options) out.push(...optionTokens(opt));
    out.push('-i', input.url);
  }
  for (const output of model.outputs) {
    for (const opt of output.options) out.push(...optionTokens(opt));
    out.push(output.url);
  }
  return out;
}

/** Last value of option `name` (any of `names`) with exactly `spec` (undefined: any spec). */
export function lastValue(options: readonly Opt[], names: readonly string[], spec?: string | null): string | undefined {
  for (let i = options.length - 1; i >= 0; i--) {
    const opt = options[i];
    if (opt && names.includes(opt.name) && (spec === undefined || opt.spec === spec)) return opt.value ?? '';
  }
  return undefined;
}

/** Removes every option matching `test` and returns the removed ones. */
export function removeOptions(options: Opt[], test: (opt: Opt) => boolean): Opt[] {
  const removed = options.filter(test);
  const kept = options.filter((o) => !test(o));
  options.splice(0, options.length, ...kept);
  return removed;
}

/** Sets (replacing every earlier occurrence) option `name` with `spec` to `value`. */
export function setOption(options: Opt[], name: string, spec: string | null, value: string | null): void {
  removeOptions(options, (o) => o.name === name && o.spec === spec);
  options.push({ name, spec, value });
}
