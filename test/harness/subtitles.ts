/** The sidecar subtitles the test media carry: one cue per 2 s over 10 s, some styling, some UTF-8. */

const CUES = [
  [0.5, 1.9, 'First cue: plain text'],
  [2.5, 3.9, 'Second cue: Ünïcødé ✓'],
  [4.5, 5.9, 'Third cue, after the 4 s seek point'],
  [6.5, 7.9, 'Fourth cue'],
  [8.5, 9.5, 'Last cue'],
] as const;

/** The SRT sidecar's text. */
export const SRT_TEXT = CUES.map(([start, end, text], i) => `${i + 1}\n${srtTime(start)} --> ${srtTime(end)}\n${text}\n`).join('\n');

/** The ASS sidecar's text (styled: italics on the first cue, a second style on the last). */
export const ASS_TEXT = `[Script Info]
Title: PlexBeam test subtitles
ScriptType: v4.00+
PlayResX: 1280
PlayResY: 720
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,DejaVu Sans,48,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,1,2,20,20,30,1
Style: Top,DejaVu Sans,40,&H0000FFFF,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,2,1,8,20,20,30,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
${CUES.map(([start, end, text], i) => `Dialogue: 0,${assTime(start)},${assTime(end)},${i === CUES.length - 1 ? 'Top' : 'Default'},,0,0,0,,${i === 0 ? `{\\i1}${text}{\\i0}` : text}`).join('\n')}
`;

function srtTime(s: number): string {
  return `${clock(s)},${String(Math.round((s % 1) * 1000)).padStart(3, '0')}`;
}

function assTime(s: number): string {
  return `${clock(s).slice(1)}.${String(Math.round((s % 1) * 100)).padStart(2, '0')}`;
}

function clock(s: number): string {
  const whole = Math.floor(s);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}`;
}
