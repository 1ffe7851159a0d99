/**
 * Splits an argv along ffmpeg's grammar: global options apply wherever they are; per-file options
 * collect until `-i <input>` (they belong to that input) or a non-option token (an output target,
 * which they belong to). Per-file options after the last output are ignored by ffmpeg ("trailing").
 */
import { describeOption, isOptionToken, unknownTakesValue } from './options.ts';
import type { ArgvOption, UnknownOption } from './types.ts';

/** An input or output with the per-file options written before it. */
export interface ArgvFile {
  /** The path, URL or name template. */
  readonly target: string;
  /** argv index of the target token. */
  readonly argvIndex: number;
  /** The per-file options before it, in order. */
  readonly options: readonly ArgvOption[];
}

/** What each argv position is. */
export type TokenRole = 'option' | 'value' | 'input' | 'output';

/** The argv split into files and options. */
export interface TokenizedArgv {
  readonly globals: readonly ArgvOption[];
  readonly inputs: readonly ArgvFile[];
  readonly outputs: readonly ArgvFile[];
  readonly trailing: readonly ArgvOption[];
  readonly unknown: readonly UnknownOption[];
  readonly warnings: readonly string[];
  /** The first print-and-exit option (`version`, `encoders`, `h` …), if any. */
  readonly exitOption: string | null;
  /** Role of each argv position. */
  readonly roles: readonly TokenRole[];
  /** For value and input positions, the option that took them. */
  readonly owners: readonly (ArgvOption | undefined)[];
}

/** Tokenizes an argv (program name excluded). Never throws. */
export function tokenizeArgv(argv: readonly string[]): TokenizedArgv {
  const globals: ArgvOption[] = [];
  const inputs: ArgvFile[] = [];
  const outputs: ArgvFile[] = [];
  const unknown: UnknownOption[] = [];
  const warnings: string[] = [];
  const roles: TokenRole[] = [];
  const owners: (ArgvOption | undefined)[] = [];
  let pending: ArgvOption[] = [];
  let exitOption: string | null = null;
  let filesOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const token = String(argv[i]);
    if (!filesOnly && token === '--') {
      roles[i] = 'option';
      filesOnly = true;
      continue;
    }
    if (filesOnly || !isOptionToken(token)) {
      roles[i] = 'output';
      outputs.push({ target: token, argvIndex: i, options: pending });
      pending = [];
      continue;
    }
    roles[i] = 'option';
    const shape = describeOption(token);
    if (!shape.known) unknown.push({ name: shape.name, index: i });
    if (shape.exit && exitOption === null) exitOption = shape.base;
    const next = argv[i + 1];
    const takes =
      shape.arity === 'yes' ||
      (shape.arity === 'optional' && next !== undefined && !isOptionToken(String(next))) ||
      (shape.arity === 'unknown' && unknownTakesValue(next === undefined ? undefined : String(next)));
    if (takes && next === undefined) warnings.push(`-${shape.name} is missing its value`);
    const value = takes && next !== undefined ? String(next) : null;
    const option: ArgvOption = { name: shape.name, base: shape.base, spec: shape.spec, value, index: i };
    if (value !== null) {
      roles[i + 1] = shape.base === 'i' ? 'input' : 'value';
      owners[i + 1] = option;
      i++;
    }
    if (shape.base === 'i') {
      if (value !== null) {
        inputs.push({ target: value, argvIndex: i, options: pending });
        pending = [];
      }
    } else if (shape.global) {
      globals.push(option);
    } else {
      pending.push(option);
    }
  }
  if (pending.length > 0) {
    warnings.push(`options after the last output are ignored: ${pending.map((o) => `-${o.name}`).join(' ')}`);
  }
  return { globals, inputs, outputs, trailing: pending, unknown, warnings, exitOption, roles, owners };
}
