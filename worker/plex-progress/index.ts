// Plex progress-protocol emulation: the reporter (requests) and the throttle (canThrottle).
export { createPlexProgressReporter, type PlexProgressReporter, type ReporterOptions } from './reporter.ts';
export { createThrottle, type Throttle, type ThrottleOptions } from './throttle.ts';
export { createProgressSplitter, outTimeSeconds, speedOf, type ProgressFields } from './progress-blocks.ts';
export type { ReportedStream } from './stream-report.ts';
