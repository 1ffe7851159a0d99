/** The test harness: real media, a fake Plex Media Server, a stand-in `Plex Transcoder.real`, the corpus. */
export { ensureMediaSet, ensureTestMedia, mediaRecipesHash, type MediaFile, type MediaSet, type TestMedia } from './media.ts';
export { MEDIA_KEYS, MEDIA_RECIPES, type ExpectedStream, type MediaKey, type MediaRecipe } from './media-recipes.ts';
export type { MediaFacts } from './media-check.ts';
export { probeMedia, streamFacts, type FfprobeResult, type FfprobeStream, type StreamFacts } from './probe.ts';
export { patternToRegExp, probeSegments, type ProbeSegmentsOptions, type SegmentProbe } from './segments.ts';
export { INSTALL_HINT, runTool } from './ffmpeg-tools.ts';
export { ASS_TEXT, SRT_TEXT } from './subtitles.ts';
export {
  CAN_THROTTLE_RESPONSE, EMPTY_CONTAINER, MEDIA_ROUTE, startFakePms,
  type BodyChunk, type FakePms, type FakePmsOptions, type FakePmsResponder, type FakePmsResponse, type RecordedRequest,
} from './fake-pms.ts';
export { FAKE_PLEX_VERSION, installFakePlexDir, readFakeRealCalls, writeFakeTranscoder, type FakePlexDir, type FakeRealCall } from './fake-real.ts';
export { loadCorpus, type CorpusSample } from './corpus.ts';
export { adaptCorpusArgv, pickMedium, rehomeUrls, type AdaptOptions } from './corpus-adapt.ts';
export { ffmpegArgvIo, type ArgvInput } from './ffmpeg-argv-io.ts';
export { corpusDir, fakeRealScript, repoRoot } from './repo-paths.ts';
