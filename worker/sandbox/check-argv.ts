/** The refusal rules: every input, output and option value of an argv checked against the policy. */
import { formatOf, splitArgv, type ArgvFile, type ArgvOption } from './argv-grammar.ts';
import { checkFilterGraph } from './filters.ts';
import {
  ALLOWED_DEVICE_PATH, DEVICE_OPTIONS, FILTER_OPTIONS, FORBIDDEN_INPUT_FORMATS, FORBIDDEN_OPTIONS,
  FORBIDDEN_OUTPUT_FORMATS, PLAIN_VALUE_OPTIONS, PLEX_SIDE_OPTIONS, READ_FILE_OPTIONS,
} from './option-rules.ts';
import { checkReadPath, checkWritePath, forbid, pathWords, type PathPolicy } from './path-policy.ts';
import { isLoopbackHost, loopbackHttpUrl, protocolOf, splitHttpUrl } from './urls.ts';

export interface CheckContext {
  policy: PathPolicy;
  /** The job's worker-side working directory (already checked). */
  cwd: string;
  allowHttpInputs: boolean;
  /** The argv is Plex's, before translation: its Plex-private options are allowed (option-rules.ts). */
  plexArgv?: boolean;
}

export interface CheckedArgv {
  files: ArgvFile[];
  /** Positions of loopback http URLs: Plex callbacks the worker captures. */
  callbackIndices: number[];
}

/** Throws 403 on the first argument the worker must not run; returns where inputs, outputs and callbacks are. */
export function checkArgv(argv: readonly string[], context: CheckContext): CheckedArgv {
  const { files, trailing } = splitArgv(argv);
  const callbackIndices: number[] = [];
  for (const file of files) {
    for (const option of file.options) checkOption(option, context, callbackIndices);
    if (file.kind === 'input') checkInput(file, context);
    else if (checkOutput(file, context)) callbackIndices.push(file.targetIndex);
  }
  for (const option of trailing) checkOption(option, context, callbackIndices);
  if (!files.some((file) => file.kind === 'output')) throw forbid('argv names no output');
  return { files, callbackIndices };
}

function checkInput(file: ArgvFile, { policy, cwd, allowHttpInputs }: CheckContext): void {
  const { target } = file;
  const format = formatOf(file);
  if (format !== undefined && FORBIDDEN_INPUT_FORMATS.has(format)) throw forbid(`input format "-f ${format}" is not allowed`);
  if (target === '-') throw forbid('input "-" (standard input) is not allowed');
  const scheme = protocolOf(target);
  if (scheme === 'http' || scheme === 'https') {
    const url = splitHttpUrl(target);
    if (url === null) throw forbid(`input ${JSON.stringify(target)} is not a valid URL`);
    if (isLoopbackHost(url.host)) throw forbid(`input ${url.origin}… is on the Plex machine's loopback, which the worker cannot reach`);
    if (!allowHttpInputs) throw forbid(`input ${url.origin}… is a remote URL; set worker.allowHttpInputs to allow it`);
    return;
  }
  if (scheme !== null && scheme !== 'file') throw forbid(`input protocol "${scheme}:" is not allowed`);
  const path = scheme === 'file' ? target.slice('file:'.length) : target;
  if (path.startsWith('/dev/')) throw forbid(`input ${JSON.stringify(target)} is a device`);
  checkReadPath(policy, 'input', path, cwd);
}

/** Checks an output; true when it is a Plex callback URL. */
function checkOutput(file: ArgvFile, context: CheckContext): boolean {
  const format = formatOf(file);
  if (format !== undefined && FORBIDDEN_OUTPUT_FORMATS.has(format)) throw forbid(`output format "-f ${format}" is not allowed`);
  // The null muxer never opens its "file" (Plex names it `nullfile`).
  if (format === 'null') return false;
  return checkWriteTarget('output', file.target, context);
}

/** A value ffmpeg may write to: a Plex callback URL (true), or a file under the write roots (false). */
function checkWriteTarget(what: string, value: string, { policy, cwd }: CheckContext): boolean {
  if (value === '-') throw forbid(`${what} "-" (standard output) is not allowed`);
  const scheme = protocolOf(value);
  if (scheme === 'http' && loopbackHttpUrl(value) !== null) return true;
  if (scheme !== null && scheme !== 'file') throw forbid(`${what} ${JSON.stringify(value)}: protocol "${scheme}:" is not allowed`);
  const path = scheme === 'file' ? value.slice('file:'.length) : value;
  if (path.startsWith('/dev/')) throw forbid(`${what} ${JSON.stringify(value)} is a device`);
  checkWritePath(policy, what, path, cwd);
  return false;
}

function checkOption(option: ArgvOption, context: CheckContext, callbacks: number[]): void {
  const { name, raw, value, valueIndex } = option;
  const why = FORBIDDEN_OPTIONS.get(name);
  if (why !== undefined) throw forbid(`option ${raw} is not allowed: ${why}`);
  if (value === undefined || valueIndex === undefined || PLAIN_VALUE_OPTIONS.has(name)) return;
  if (context.plexArgv && PLEX_SIDE_OPTIONS.has(name)) return;
  // Plex's progress URL never reaches ffmpeg: the worker sends its requests through the capture server.
  if (context.plexArgv && name === 'progressurl') return checkProgressUrl(raw, value);
  if (FILTER_OPTIONS.has(name)) return checkFilterGraph(context.policy, raw, value, context.cwd, context.plexArgv);
  if (DEVICE_OPTIONS.has(name)) return checkDevice(raw, value);
  if (READ_FILE_OPTIONS.has(name)) return checkReadPath(context.policy, `${raw}`, value, context.cwd);
  // Anything else may be a file ffmpeg writes (`-segment_list`, `-hls_segment_filename`, an
  // encoder's stats file, or a token ffmpeg reads as an output): check it as one.
  if (checkWriteTarget(`${raw} value`, value, context)) callbacks.push(valueIndex);
  // Paths inside a value (`-x264-params stats=/x`) are files the encoder may write.
  else for (const word of pathWords(value)) checkWritePath(context.policy, `${raw} value: file`, word, context.cwd);
}

/** `-progressurl` may name Plex's LAN address (older Plex), never another protocol. */
function checkProgressUrl(raw: string, value: string): void {
  if (!/^https?$/.test(protocolOf(value) ?? '') || splitHttpUrl(value) === null) throw forbid(`${raw} ${JSON.stringify(value)}: expected an http(s) URL`);
}

function checkDevice(raw: string, value: string): void {
  for (const match of value.matchAll(/\/[^,:;=\s]*/g)) {
    if (!ALLOWED_DEVICE_PATH.test(match[0])) throw forbid(`${raw} ${JSON.stringify(value)}: only /dev/dri render nodes may be named`);
  }
}
