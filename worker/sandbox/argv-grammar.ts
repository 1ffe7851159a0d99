/** Splits an ffmpeg argv with the one grammar (core/ffmpeg-grammar): options, each `-i` input, each output. */
import { PlexBeamError } from '../../core/errors.ts';
import { splitFfmpegArgv, type OptionInfo } from '../../core/ffmpeg-grammar/index.ts';
import { forbid } from './path-policy.ts';

export interface ArgvOption {
  /** Position of the option itself in argv. */
  index: number;
  /** Name without the dash and stream specifier: `-codec:0` → `codec`, `-noautorotate` → `noautorotate`. */
  name: string;
  /** The option as written, e.g. `-codec:0`. */
  raw: string;
  /** What the grammar says about it. */
  info: OptionInfo;
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

/** Walks argv exactly as ffmpeg 5.1 does; refuses `--`, `--opt` and `-/opt`, which only hide what a token is. */
export function splitArgv(argv: readonly string[]): { files: ArgvFile[]; globals: ArgvOption[]; trailing: ArgvOption[] } {
  for (const token of argv) {
    if (token.startsWith('--') || token.startsWith('-/')) throw forbid(`option ${JSON.stringify(token)} is not allowed`);
  }
  const split = splitFfmpegArgv(argv);
  const missing = split.missingValue[0];
  if (missing !== undefined) throw new PlexBeamError('WORKER_BAD_REQUEST', `argv: option ${missing.token} at the end needs a value`);
  const convert = (o: (typeof split.globals)[number]): ArgvOption => ({
    index: o.index,
    name: o.info.name.split(':')[0] as string,
    raw: o.token,
    info: o.info,
    ...(o.value === null ? {} : { value: o.value, valueIndex: o.valueIndex }),
  });
  return {
    files: split.files.map((f) => ({ kind: f.kind, target: f.target, targetIndex: f.targetIndex, options: f.options.map(convert) })),
    globals: split.globals.map(convert),
    trailing: split.trailing.map(convert),
  };
}

/** The `-f` format an input or output names, if any (ffmpeg matches format names case-sensitively). */
export function formatOf(file: ArgvFile): string | undefined {
  return file.options.findLast((o) => o.info.base === 'f' && o.info.source === 'main')?.value;
}
