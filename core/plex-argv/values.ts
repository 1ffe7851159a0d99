/** Reads ffmpeg value syntaxes: durations, bitrates with SI suffixes, sizes, channel layouts. */

const DURATION_CLOCK = /^(-)?(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$/;
const DURATION_PLAIN = /^(-)?(\d+(?:\.\d*)?|\.\d+)(s|ms|us)?$/;

/** Parses an ffmpeg duration (`1321`, `62.5`, `00:01:02.5`, `01:02`, `1500ms`) into seconds. */
export function parseDuration(value: string | null | undefined): number | null {
  if (value == null) return null;
  const text = value.trim();
  const clock = DURATION_CLOCK.exec(text);
  if (clock) {
    const seconds = Number(clock[2] ?? 0) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
    return clock[1] ? -seconds : seconds;
  }
  const plain = DURATION_PLAIN.exec(text);
  if (!plain) return null;
  const scale = plain[3] === 'ms' ? 1e-3 : plain[3] === 'us' ? 1e-6 : 1;
  const seconds = Number(plain[2]) * scale;
  return plain[1] ? -seconds : seconds;
}

const SI = /^(-?\d+(?:\.\d*)?|-?\.\d+)(?:([kKMGT])(i)?)?(B)?$/;
const SI_POWERS: Readonly<Record<string, number>> = { k: 1, K: 1, M: 2, G: 3, T: 4 };

/** Parses an ffmpeg number with SI suffix (`20121k` → 20121000, `1.5M`, `64Ki` → 65536, `B` = ×8). */
export function parseSiNumber(value: string | null | undefined): number | null {
  if (value == null) return null;
  const match = SI.exec(value.trim());
  if (!match) return null;
  let number = Number(match[1]);
  if (match[2]) number *= (match[3] ? 1024 : 1000) ** (SI_POWERS[match[2]] ?? 0);
  if (match[4]) number *= 8;
  return Number.isFinite(number) ? Math.round(number * 1000) / 1000 : null;
}

/** Parses a plain decimal number (`23.975999999999999`, `15`); null otherwise. */
export function parseNumber(value: string | null | undefined): number | null {
  if (value == null || !/^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return null;
  return Number(value);
}

/** Parses a frame rate (`24`, `23.976`, `24000/1001`). */
export function parseRate(value: string | null | undefined): number | null {
  if (value == null) return null;
  const fraction = /^(\d+(?:\.\d*)?)\/(\d+(?:\.\d*)?)$/.exec(value.trim());
  if (fraction) return Number(fraction[2]) === 0 ? null : Number(fraction[1]) / Number(fraction[2]);
  return parseNumber(value);
}

const NAMED_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  qvga: [320, 240], vga: [640, 480], svga: [800, 600], ntsc: [720, 480], pal: [720, 576],
  hd480: [852, 480], hd720: [1280, 720], hd1080: [1920, 1080], '2k': [2048, 1080], '4k': [4096, 2160],
  uhd2160: [3840, 2160], uhd4320: [7680, 4320],
};

/** Parses a frame size (`1280x720` or a name such as `hd720`). */
export function parseSize(value: string | null | undefined): { width: number; height: number } | null {
  if (value == null) return null;
  const match = /^(\d+)x(\d+)$/i.exec(value.trim());
  if (match) return { width: Number(match[1]), height: Number(match[2]) };
  const named = NAMED_SIZES[value.trim().toLowerCase()];
  return named ? { width: named[0], height: named[1] } : null;
}

const LAYOUT_CHANNELS: Readonly<Record<string, number>> = {
  mono: 1, stereo: 2, downmix: 2, '2.1': 3, '3.0': 3, '3.0(back)': 3, '4.0': 4, quad: 4, 'quad(side)': 4,
  '3.1': 4, '5.0': 5, '5.0(side)': 5, '4.1': 5, '5.1': 6, '5.1(side)': 6, '6.0': 6, '6.0(front)': 6,
  hexagonal: 6, '6.1': 7, '6.1(back)': 7, '6.1(front)': 7, '7.0': 7, '7.0(front)': 7, '7.1': 8,
  '7.1(wide)': 8, '7.1(wide-side)': 8, '7.1(top)': 8, octagonal: 8, '5.1.2': 8, '5.1.4': 10, '7.1.2': 10,
  '7.1.4': 12, hexadecagonal: 16, '22.2': 24,
};

/** Channel count of a layout (`5.1` → 6, `stereo` → 2, `6c` → 6, `FL+FR` → 2); null when unknown. */
export function layoutChannels(layout: string | null | undefined): number | null {
  if (layout == null) return null;
  const name = unquote(layout).trim().toLowerCase();
  const known = LAYOUT_CHANNELS[name];
  if (known !== undefined) return known;
  const count = /^(\d+)\s*(?:c|channels)$/.exec(name);
  if (count) return Number(count[1]);
  if (/^[a-z]+(\+[a-z]+)+$/.test(name)) return name.split('+').length;
  return null;
}

/** Removes one level of filter-graph quoting and escaping (`'5.1'` → `5.1`, `a\:b` → `a:b`). */
export function unquote(text: string): string {
  if (!text.includes("'") && !text.includes('\\')) return text;
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "'") quoted = !quoted;
    else if (ch === '\\' && !quoted && i + 1 < text.length) out += text[++i];
    else out += ch;
  }
  return out;
}
