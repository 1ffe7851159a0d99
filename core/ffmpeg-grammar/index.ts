/**
 * The one description of ffmpeg's command line, shared by the cartridge's parser (core/plex-argv),
 * the translation (worker/translate) and the sandbox (worker/sandbox): option arity, scope and
 * value kinds; the allow-listed AVOptions, muxers, demuxers and filters; exact argv and
 * filter-graph reading. Constant tables and node: built-ins only (the cartridge bundles it).
 */
export { AV_OPTION_KINDS, PLEX_AV_OPTIONS, REFUSED_AV_OPTIONS, allowedAvOptionNames, avOption } from './av-options.ts';
export { describeOption, isOptionToken, mainOption, splitOptionName } from './describe.ts';
export { getToken, parseFilterOptions, parseGraph, type FilterOption, type ParsedFilter, type ParsedGraph } from './filter-graph.ts';
export { FILE_FILTERS, FILTERS, PLEX_FILTERS, type FileFilter, type FilterFileAccess } from './filters.ts';
export {
  DEMUXERS, HTTP_ONLY_DEMUXERS, MUXERS, MUXER_BY_EXTENSION, NESTED_MUXERS, demuxerWhitelist, isAllowedDemuxer, outputMuxer,
} from './formats.ts';
export { MAIN_OPTIONS, OPTION_ALIASES } from './main-options.ts';
export { splitFfmpegArgv, type GrammarFile, type GrammarOption, type SplitArgv } from './split.ts';
export type { Arity, AvOption, MainOption, OptionInfo, Scope, ValueKind } from './types.ts';
