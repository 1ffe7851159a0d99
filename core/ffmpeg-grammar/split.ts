/**
 * splitFfmpegArgv: an argv cut the way ffmpeg 5.1 cuts it (`split_commandline`): global options
 * wherever they are; per-file options collect until `-i <input>` or an output name; `--` makes
 * the next token a file. Every value is the token ffmpeg itself would take. Never throws.
 */
import { describeOption, isOptionToken } from './describe.ts';
import type { OptionInfo } from './types.ts';

/** One option occurrence with its value. */
export interface GrammarOption {
  /** What the grammar says about the token. */
  readonly info: OptionInfo;
  /** The token as written (`-codec:0`). */
  readonly token: string;
  /** argv index of the token. */
  readonly index: number;
  /** Its value; null for options that take none (or an argv that ended before the value). */
  readonly value: string | null;
  /** argv index of the value, or -1. */
  readonly valueIndex: number;
}

/** An input (`-i X`) or output (`X`) and the per-file options written before it. */
export interface GrammarFile {
  readonly kind: 'input' | 'output';
  readonly target: string;
  /** argv index of the target token. */
  readonly targetIndex: number;
  readonly options: readonly GrammarOption[];
}

/** An argv in ffmpeg's scopes. */
export interface SplitArgv {
  readonly globals: readonly GrammarOption[];
  /** Inputs and outputs in argv order. */
  readonly files: readonly GrammarFile[];
  /** Per-file options after the last file: ffmpeg ignores them. */
  readonly trailing: readonly GrammarOption[];
  /** Options whose value the argv lacks (ffmpeg stops with "Missing argument"). */
  readonly missingValue: readonly GrammarOption[];
}

/** Cuts an argv (program name excluded) along ffmpeg's grammar. */
export function splitFfmpegArgv(argv: readonly string[]): SplitArgv {
  const globals: GrammarOption[] = [];
  const files: GrammarFile[] = [];
  const missingValue: GrammarOption[] = [];
  let pending: GrammarOption[] = [];
  let dashdash = -2;
  for (let i = 0; i < argv.length; i++) {
    const token = String(argv[i]);
    if (token === '--') {
      dashdash = i;
      continue;
    }
    if (!isOptionToken(token) || dashdash === i - 1) {
      files.push({ kind: 'output', target: token, targetIndex: i, options: pending });
      pending = [];
      continue;
    }
    const info = describeOption(token);
    const next = argv[i + 1];
    // OPT_EXIT options take the next token only when there is one; others stop without it.
    const hasValue = info.takesValue && next !== undefined;
    const option: GrammarOption = { info, token, index: i, value: hasValue ? String(next) : null, valueIndex: hasValue ? i + 1 : -1 };
    if (info.takesValue && next === undefined && info.arity !== 'exit') missingValue.push(option);
    if (hasValue) i++;
    if (info.base === 'i' && info.source === 'main') {
      if (option.value !== null) files.push({ kind: 'input', target: option.value, targetIndex: option.valueIndex, options: pending });
      pending = [];
    } else if (info.scope === 'global') {
      globals.push(option);
    } else {
      pending.push(option);
    }
  }
  return { globals, files, trailing: pending, missingValue };
}
