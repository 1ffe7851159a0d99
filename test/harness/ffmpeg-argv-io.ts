/** Finds the inputs and outputs of an ffmpeg argv, enough for the harness to re-home them. */

/** Options that take no value (every other option takes exactly one, even one starting with `-`). */
const FLAGS = new Set([
  'y', 'n', 'nostats', 'stats', 'copyts', 'start_at_zero', 'noaccurate_seek', 'accurate_seek', 'shortest', 'vn', 'an', 'sn', 'dn',
  're', 'hide_banner', 'nostdin', 'stdin', 'ignore_unknown', 'copy_unknown', 'benchmark', 'benchmark_all', 'xerror', 'xioerror',
  'dump', 'hex', 'autorotate', 'noautorotate', 'autoscale', 'noautoscale', 'fix_sub_duration', 'version', 'h', 'help', 'buildconf',
]);

/** One input: its argv index and the options (name → value) given before it since the previous input. */
export interface ArgvInput {
  index: number;
  value: string;
  options: Map<string, string>;
}

/** The `-i` values and the output names (positional arguments) of an ffmpeg argv, with their indexes. */
export function ffmpegArgvIo(argv: readonly string[]): { inputs: ArgvInput[]; outputs: { index: number; value: string }[] } {
  const inputs: ArgvInput[] = [];
  const outputs: { index: number; value: string }[] = [];
  let options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-') {
      outputs.push({ index: i, value: arg });
      options = new Map();
      continue;
    }
    const name = arg.slice(1);
    if (FLAGS.has(name.split(':')[0] as string)) continue;
    const value = argv[i + 1] ?? '';
    i += 1;
    if (name === 'i') {
      inputs.push({ index: i, value, options });
      options = new Map();
    } else options.set(name, value);
  }
  return { inputs, outputs };
}
