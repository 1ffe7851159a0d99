/**
 * What the sandbox adds to the grammar's value kinds (core/ffmpeg-grammar): which device paths a
 * device option may name, which keys of an encoder's parameter list name files, and the muxers
 * whose file-name options are relative to their output's folder.
 */

/** Render nodes a device option may name. */
export const ALLOWED_DEVICE_PATH = /^\/dev\/dri\/(?:renderD|card)\d+$/;

/** Keys of `-x264-params`/`-x264opts`/`-x265-params`/`-svtav1-params`/`-aom-params` whose values are files. */
export const PARAM_FILE_KEYS: ReadonlySet<string> = new Set([
  'stats', 'qpfile', 'dump-yuv', 'cqmfile', 'tcfile-in', 'tcfile-out', 'csv', 'analysis-load', 'analysis-save',
  'analysis-reuse-file', 'scaling-list', 'lambda-file', 'dolby-vision-rpu', 'zonefile', 'dhdr10-info', 'recon',
  'passlogfile', 'fgs-table', 'first-pass', 'second-pass', 'input', 'output',
]);
