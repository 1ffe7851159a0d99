/** The video encoder in the ffmpeg argv a worker logged (`job started`), e.g. `h264_nvenc`. */

const CODEC_OPTION = /^-(?:c|codec|vcodec)(?::v)?(?::\d+)?$|^-(?:c|codec):0$/;
const VIDEO_ENCODER = /264|265|hevc|av1|vp9|mpeg2|mpeg4/i;

/** The first video encoder named after the last input, or null (not an array, none found). */
export function videoEncoderIn(argv: unknown): string | null {
  if (!Array.isArray(argv)) return null;
  const args = argv.map(String);
  const afterInputs = args.lastIndexOf('-i') + 2;
  for (let i = Math.max(afterInputs, 0); i < args.length - 1; i += 1) {
    const value = args[i + 1] as string;
    if (CODEC_OPTION.test(args[i] as string) && VIDEO_ENCODER.test(value) && value !== 'copy') return value;
  }
  return null;
}
