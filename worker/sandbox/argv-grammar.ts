/** Splits an ffmpeg argv the way ffmpeg's own parser does: options, each `-i` input, each output. */
import { PlexBeamError } from '../../core/errors.ts';
import { isFlagOption } from './option-rules.ts';
import { forbid } from './path-policy.ts';

export interface ArgvOption {
  /** Position of the option itself in argv. */
  index: number;
  /** Name without the dash and stream specifier: `-codec:0` → `codec`. */
  name: string;
  /** The option as written, e.g. `-codec:0`. */
  raw: string;
  /** Its value (absent for flags) and the value's position. */
  value?: string;
  valueIndex?: number;
}

export interface ArgvFile {
  kind: 'input' | 'output';
  /** The `-i` value or the output name, and its position. */
  target: string;
  targetIndex: number;
  /** Options written before it (ffmpeg applies per-file options to the next file). */
  options: ArgvOption[];
}

/** Walks argv: every token starting with `-` (but `-` alone) is an option, `-i X` an input, anything else an output. */
export function splitArgv(argv: readonly string[]): { files: ArgvFile[]; trailing: ArgvOption[] } {
  const files: ArgvFile[] = [];
  let pending: ArgvOption[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const token = argv[index] as string;
    if (!token.startsWith('-') || token === '-') {
      files.push({ kind: 'output', target: token, targetIndex: index, options: pending });
      pending = [];
      continue;
    }
    // `--` makes the next token an output whatever it looks like; `-/opt` reads the value from a file.
    if (token.startsWith('--') || token.startsWith('-/')) throw forbid(`option ${JSON.stringify(token)} is not allowed`);
    const name = (token.slice(1).split(':')[0] as string);
    if (isFlagOption(name)) {
      pending.push({ index, name, raw: token });
      continue;
    }
    const value = argv[index + 1];
    if (value === undefined) {
      throw new PlexBeamError('WORKER_BAD_REQUEST', `argv: option ${token} at the end needs a value`);
    }
    if (name === 'i') {
      files.push({ kind: 'input', target: value, targetIndex: index + 1, options: pending });
      pending = [];
    } else {
      pending.push({ index, name, raw: token, value, valueIndex: index + 1 });
    }
    index += 1;
  }
  return { files, trailing: pending };
}

/** The `-f` format an input or output names, lower-cased, if any. */
export function formatOf(file: ArgvFile): string | undefined {
  const option = file.options.findLast((o) => o.name === 'f');
  return option?.value?.toLowerCase();
}
