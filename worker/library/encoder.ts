/** Which encoder a library job uses for its codec: the probed hardware one, else software (SVT-AV1, then libaom; libx265). */
import type { LibraryCodec } from '../../core/wire/library.ts';
import type { HardwareProbe, Hwaccel } from '../probe/index.ts';

/** The encoder of a library job and what it needs (a render node for VAAPI/QSV). */
export interface LibraryEncoder {
  name: string;
  hwaccel: Hwaccel;
  device: string | null;
}

/** Software encoders per codec, best first (libaom only when SVT-AV1 is absent: it is several times slower). */
const SOFTWARE: Readonly<Record<LibraryCodec, readonly string[]>> = { hevc: ['libx265'], av1: ['libsvtav1', 'libaom-av1'] };

/**
 * The probe's working `<codec>_<backend>` encoder of the backend jobs use (its devices are the
 * ones the sandbox binds), else the first software encoder that `works` (a one-frame test
 * encode, asked only when needed); null when none does.
 */
export async function pickLibraryEncoder(codec: LibraryCodec, hardware: Pick<HardwareProbe, 'hwaccel' | 'candidates'>, works: (encoder: string) => Promise<boolean>): Promise<LibraryEncoder | null> {
  if (hardware.hwaccel !== 'software') {
    const name = `${codec}_${hardware.hwaccel}`;
    const found = hardware.candidates.find((c) => c.encoder === name && c.verdict === 'ok');
    if (found !== undefined) return { name, hwaccel: hardware.hwaccel, device: found.device };
  }
  for (const name of SOFTWARE[codec]) {
    const probed = hardware.candidates.find((c) => c.encoder === name);
    if (probed?.verdict === 'ok' || (probed === undefined && (await works(name)))) return { name, hwaccel: 'software', device: null };
  }
  return null;
}
