/** The Plex argv parser: facts, classification and grouping pattern of a `Plex Transcoder` command line. */
export { parsePlexArgv } from './parse.ts';
export { argvPattern, patternIdOf } from './pattern.ts';
export { isLoopbackUrl } from './urls.ts';
export { parseDuration, parseSiNumber } from './values.ts';
export type {
  ArgvUrl,
  AudioFacts,
  HardwareFacts,
  InvocationKind,
  PlexInvocation,
  Protocol,
  SegmentFacts,
  SubtitleBurnIn,
  ToneMapping,
  VideoFacts,
} from './fact-types.ts';
export type {
  ArgvOption,
  Decoder,
  OutputStream,
  PlexInput,
  PlexOutput,
  StreamKind,
  StreamRef,
  UnknownOption,
} from './types.ts';
