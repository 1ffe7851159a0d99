/**
 * The allow-list: an argv is accepted only if every option, muxer, demuxer, protocol and filter
 * is one the grammar (core/ffmpeg-grammar) lists, and every file it names lies inside the roots
 * for the access it gets. Anything else is a 403 naming what was refused.
 */
import { dirname } from 'node:path';
import { getToken, isAllowedDemuxer, NESTED_MUXERS, outputMuxer, avOption, type ValueKind } from '../../core/ffmpeg-grammar/index.ts';
import { formatOf, splitArgv, type ArgvFile, type ArgvOption } from './argv-grammar.ts';
import { checkFilterGraph, isStreamInput } from './filters.ts';
import { ALLOWED_DEVICE_PATH, PARAM_FILE_KEYS } from './option-rules.ts';
import {
  checkReadFile, checkWritePath, forbid, looksLikeUrl, pathWords, resolveArgPath, type FileAccess, type PathPolicy,
} from './path-policy.ts';
import { isLoopbackHost, loopbackHttpUrl, protocolOf, splitHttpUrl } from './urls.ts';

export interface CheckContext {
  policy: PathPolicy;
  /** The job's worker-side working directory (already checked). */
  cwd: string;
  allowHttpInputs: boolean;
  /** The argv is Plex's, before translation: Plex-private options and filters are allowed (the translation removes them). */
  plexArgv?: boolean;
  /**
   * Stream mode: the prefix of this job's own input URLs on the capture server
   * (`http://127.0.0.1:<port>/in/<job>/<token>/`); an input of exactly that prefix and a number
   * is allowed, the only loopback input there is.
   */
  streamInputBase?: string;
}

export interface CheckedArgv {
  files: ArgvFile[];
  /** Positions of loopback http URLs: Plex callbacks the worker captures. */
  callbackIndices: number[];
  /** Every file the argv makes ffmpeg open, resolved (symlinks followed), with its access. */
  touches: FileAccess[];
  /** Protocols the argv's inputs and outputs use (`file`, `http` …). */
  protocols: string[];
}

/** The state of one check: where callbacks and files were found. */
interface Scan extends CheckContext {
  callbacks: number[];
  touches: FileAccess[];
  protocols: Set<string>;
}

/** Throws 403 on the first argument the worker must not run; returns where inputs, outputs and callbacks are and what it touches. */
export function checkArgv(argv: readonly string[], context: CheckContext): CheckedArgv {
  const { files, globals, trailing } = splitArgv(argv);
  const scan: Scan = { ...context, callbacks: [], touches: [], protocols: new Set() };
  for (const option of globals) checkOption(option, null, scan);
  for (const file of files) {
    for (const option of file.options) checkOption(option, file, scan);
    if (file.kind === 'input') checkInput(file, scan);
    else if (checkOutput(file, scan)) scan.callbacks.push(file.targetIndex);
  }
  for (const option of trailing) checkOption(option, null, scan);
  if (!files.some((file) => file.kind === 'output')) throw forbid('argv names no output');
  return { files, callbackIndices: scan.callbacks, touches: scan.touches, protocols: [...scan.protocols] };
}

/** Whether an argv is accepted, and what it touches: the sandbox's verdict without exceptions (for fuzzing). */
export function argvVerdict(argv: readonly string[], context: CheckContext):
  { accepted: true; checked: CheckedArgv } | { accepted: false; code: string; message: string } {
  try {
    return { accepted: true, checked: checkArgv(argv, context) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { accepted: false, code, message: (error as Error).message };
  }
}

function checkInput(file: ArgvFile, scan: Scan): void {
  const { target } = file;
  const format = formatOf(file);
  const scheme = protocolOf(target);
  const http = scheme === 'http' || scheme === 'https';
  if (format !== undefined && !isAllowedDemuxer(format, http)) throw forbid(`input format "-f ${format}" is not on the allow-list`);
  if (target === '-') throw forbid('input "-" (standard input) is not allowed');
  if (http) {
    const url = splitHttpUrl(target);
    if (url === null) throw forbid(`input ${JSON.stringify(target)} is not a valid URL`);
    if (isStreamInput(target, scan.streamInputBase)) {
      scan.protocols.add('http');
      return;
    }
    if (isLoopbackHost(url.host)) throw forbid(`input ${url.origin}… is on the Plex machine's loopback, which the worker cannot reach`);
    if (!scan.allowHttpInputs) throw forbid(`input ${url.origin}… is a remote URL; set worker.allowHttpInputs to allow it`);
    scan.protocols.add(scheme);
    return;
  }
  const path = scheme === 'file' ? target.slice('file:'.length) : target;
  if (scheme !== null && scheme !== 'file') throw forbid(`input protocol "${scheme}:" is not allowed`);
  if (looksLikeUrl(path)) throw forbid(`input ${JSON.stringify(target)} names a protocol; inputs are files or http(s) URLs`);
  if (path.startsWith('/dev/')) throw forbid(`input ${JSON.stringify(target)} is a device`);
  scan.protocols.add('file');
  scan.touches.push(checkReadFile(scan.policy, 'input', path, scan.cwd));
}

/** Checks an output; true when it is a Plex callback URL. */
function checkOutput(file: ArgvFile, scan: Scan): boolean {
  const format = formatOf(file);
  const muxer = outputMuxer(format, file.target);
  if (format !== undefined && muxer === null) throw forbid(`output format "-f ${format}" is not on the allow-list`);
  // The null muxer never opens its "file" (Plex names it `nullfile`).
  if (muxer === 'null') return false;
  // Without -f, ffmpeg guesses from the extension: only file muxers have extensions (never tee,
  // fifo, rtp or a device), and the name is checked as a file below.
  return checkWriteTarget('output', file.target, scan);
}

/** A value ffmpeg may write to: a Plex callback URL (true), or a file under the write roots (false). */
function checkWriteTarget(what: string, value: string, scan: Scan): boolean {
  if (value === '-') throw forbid(`${what} "-" (standard output) is not allowed`);
  const scheme = protocolOf(value);
  if (scheme === 'http' && loopbackHttpUrl(value) !== null) {
    scan.protocols.add('http');
    return true;
  }
  if (scheme !== null && scheme !== 'file') throw forbid(`${what} ${JSON.stringify(value)}: protocol "${scheme}:" is not allowed`);
  const path = scheme === 'file' ? value.slice('file:'.length) : value;
  if (looksLikeUrl(path)) throw forbid(`${what} ${JSON.stringify(value)} names a protocol; outputs are files or Plex's callback URLs`);
  if (path.startsWith('/dev/')) throw forbid(`${what} ${JSON.stringify(value)} is a device`);
  scan.protocols.add('file');
  scan.touches.push(checkWritePath(scan.policy, what, path, scan.cwd));
  return false;
}

function checkOption(option: ArgvOption, file: ArgvFile | null, scan: Scan): void {
  const { info, raw, value, valueIndex } = option;
  if (info.source === 'unknown') throw forbid(`option ${raw} is not on the allow-list`);
  if (info.refused !== null) throw forbid(`option ${raw} is not allowed: ${info.refused}`);
  if (info.plexOnly && !scan.plexArgv) throw forbid(`option ${raw} is Plex's own; stock ffmpeg cannot run it`);
  if (info.base === 'i' && info.source === 'main') return;
  if (value === undefined || valueIndex === undefined) return;
  if (info.source === 'av' && info.kind === 'format' && !NESTED_MUXERS.has(value)) throw forbid(`${raw} "${value}" is not a format a segmenter may nest`);
  // Plex's progress URL never reaches ffmpeg: the worker sends its requests through the capture server.
  if (info.base === 'progressurl') return checkProgressUrl(raw, value);
  if (info.base === 'attach') {
    if (looksLikeUrl(value)) throw forbid(`${raw} ${JSON.stringify(value)}: attachments must be plain files`);
    scan.touches.push(checkReadFile(scan.policy, raw, value, scan.cwd, true));
    return;
  }
  checkValue(raw, info.kind, value, valueIndex, file, scan, 0);
}

/** Checks one value by what the grammar says it is. */
function checkValue(raw: string, kind: ValueKind, value: string, valueIndex: number, file: ArgvFile | null, scan: Scan, depth: number): void {
  switch (kind) {
    case 'plain': case 'format': case 'input': case 'bsf': return;
    case 'codec':
      if (/[/\\]/.test(value) || looksLikeUrl(value)) throw forbid(`${raw} ${JSON.stringify(value)}: expected a name`);
      return;
    case 'number':
      if (!/^[+-]?\d+$/.test(value.trim())) throw forbid(`${raw} ${JSON.stringify(value)}: expected a number`);
      return;
    case 'device': return checkDevice(raw, value);
    case 'filtergraph': {
      const touched = checkFilterGraph(scan.policy, raw, value, scan.cwd, scan.plexArgv === true, scan.streamInputBase);
      scan.touches.push(...touched);
      return;
    }
    case 'read':
      scan.touches.push(checkReadFile(scan.policy, raw, value, scan.cwd));
      return;
    case 'write': case 'url':
      if (checkWriteTarget(`${raw} value`, value, scan) && valueIndex >= 0) scan.callbacks.push(valueIndex);
      return;
    case 'template': return checkTemplate(raw, value, file, scan);
    case 'params': return checkParams(raw, value, scan);
    case 'streams': return checkStreamMap(raw, value);
    case 'dict': return checkDict(raw, value, file, scan, depth);
  }
}

/** A file name a muxer writes relative to its output's folder (`-init_seg_name`, `-hls_fmp4_init_filename` …). */
function checkTemplate(raw: string, value: string, file: ArgvFile | null, scan: Scan): void {
  if (value.startsWith('/') || looksLikeUrl(value) || value.split(/[/\\]/).includes('..')) {
    throw forbid(`${raw} ${JSON.stringify(value)}: expected a file name inside the output's folder`);
  }
  if (file === null || file.kind !== 'output' || protocolOf(file.target) !== null) return;
  const folder = dirname(resolveArgPath(file.target, scan.cwd));
  scan.touches.push(checkWritePath(scan.policy, `${raw} value`, `${folder}/${value}`, scan.cwd));
}

/** An encoder's `key=value:key=value` list: keys that name files get the write check, other values the path-word check. */
function checkParams(raw: string, value: string, scan: Scan): void {
  for (const pair of value.split(/[:,]/)) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const val = eq === -1 ? '' : pair.slice(eq + 1);
    if (PARAM_FILE_KEYS.has(key.trim()) && val !== '') scan.touches.push(checkWritePath(scan.policy, `${raw} ${key}`, val, scan.cwd));
    else for (const word of pathWords(val)) scan.touches.push(checkWritePath(scan.policy, `${raw} value: file`, word, scan.cwd));
  }
}

/** `-var_stream_map`: its `name:` parts become folder and file names (`%v`), so they must be plain words. */
function checkStreamMap(raw: string, value: string): void {
  for (const part of value.split(/[\s,]+/)) {
    const colon = part.indexOf(':');
    const key = colon === -1 ? part : part.slice(0, colon);
    const val = colon === -1 ? '' : part.slice(colon + 1);
    if (['name', 'agroup', 'sgroup', 'ccgroup', 'language'].includes(key) && !/^[A-Za-z0-9_-]*$/.test(val)) {
      throw forbid(`${raw}: "${key}:" must be letters, digits, "_" or "-"; it becomes a file name`);
    }
  }
}

/** Nested AVOptions (`-segment_format_options k=v:k=v`): every key on the allow-list, every value checked by its kind. */
function checkDict(raw: string, value: string, file: ArgvFile | null, scan: Scan, depth: number): void {
  if (depth > 2) throw forbid(`${raw}: options nested too deep`);
  let p = 0;
  while (p < value.length) {
    const key = getToken(value, p, '=');
    if (value[key.end] !== '=') throw forbid(`${raw} ${JSON.stringify(value)}: expected key=value pairs`);
    const val = getToken(value, key.end + 1, ':');
    p = val.end + 1;
    const option = avOption(key.token);
    if (option === undefined) throw forbid(`${raw}: option "${key.token}" is not on the allow-list`);
    if (option.refused !== undefined) throw forbid(`${raw}: option "${key.token}" is not allowed: ${option.refused}`);
    if (option.plexOnly && !scan.plexArgv) throw forbid(`${raw}: option "${key.token}" is Plex's own`);
    if (option.kind === 'format' && !NESTED_MUXERS.has(val.token)) throw forbid(`${raw}: format "${val.token}" is not on the allow-list`);
    checkValue(`${raw} ${key.token}`, option.kind, val.token, -1, file, scan, depth + 1);
  }
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
