// Points a corpus argv at test media, a session folder and the fake PMS; scales seeks down.
// Everything else stays exactly as Plex wrote it (corpus/README.md "To run a sample in a test").
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isBooleanOption } from '../../../worker/translate/option-table.ts';

/** How to adapt one sample. */
export interface Adaptation {
  /** Replacement for each `-i` in order. */
  inputs: string[];
  /** Fake PMS origin (`http://127.0.0.1:port`). */
  pms: string;
  /** Session folder: absolute output paths move under it. */
  session: string;
  /** Seek scaled down to fit short media: `-ss from` → `-ss to`, segment numbers likewise. */
  seek?: { from: string; to: string; numbers?: { from: string; to: string } };
}

const PMS_ORIGIN = /^http:\/\/(127\.0\.0\.1|10\.0\.1\.99):32400/;

/** Returns the adapted argv. */
export function adaptArgv(argv: readonly string[], a: Adaptation): string[] {
  const out: string[] = [];
  let input = 0;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const isOption = token.startsWith('-') && token.length > 1;
    if (!isOption) { out.push(relocate(token, a.session)); continue; }
    out.push(token);
    const name = token.slice(1).split(':')[0] ?? '';
    if (isBooleanOption(name)) continue;
    let value = argv[++i] ?? '';
    if (name === 'i') value = a.inputs[input++] ?? value;
    else if (name === 'ss' && a.seek && value === a.seek.from) value = a.seek.to;
    else if ((name === 'segment_start_number' || name === 'skip_to_segment') && a.seek?.numbers && value === a.seek.numbers.from) value = a.seek.numbers.to;
    out.push(value.replace(PMS_ORIGIN, a.pms));
  }
  return out;
}

/** Absolute output paths go under the session folder (their parent is created). */
function relocate(url: string, session: string): string {
  if (!url.startsWith('/')) return url;
  const dir = join(session, 'out');
  mkdirSync(dir, { recursive: true });
  return join(dir, basename(url));
}
