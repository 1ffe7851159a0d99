/** The body of `POST /transcode` and its validation (a 400 names the field): defined once, in core/wire/transcode.ts. */
export { validateTranscodeRequest, type TranscodeRequest } from '../../core/wire/transcode.ts';
