import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { PchatError } from '../../../core/errors.js';

/**
 * Logs are often mixed: one client wrote UTF-8, an older one (or a user's client) Latin-1 or
 * Windows-1252. Each line is decoded as UTF-8, and a line that is not valid UTF-8 is decoded, alone,
 * in the declared legacy encoding (default cp1252), and counted.
 */
export class LineDecoder {
  private readonly legacy: BytesDecoder;
  /** Lines that needed the legacy encoding since the counter was read last. */
  legacyLines = 0;

  constructor(readonly encoding: string) {
    this.legacy = legacyDecoder(encoding);
  }

  line(bytes: Buffer): string {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    this.legacyLines += 1;
    return this.legacy.decode(bytes);
  }
}

/** What decodes one line of bytes. */
export interface BytesDecoder {
  decode(bytes: Uint8Array): string;
}

/**
 * Windows-1252's characters for the bytes 0x80–0x9F (the rest is Latin-1). Node 20's TextDecoder
 * takes the label but decodes these bytes as C1 controls (0x80 → U+0080, not €), so pchat decodes
 * this encoding, which the WHATWG labels cp1252, windows-1252, latin1, iso-8859-1 and ascii all
 * name, itself. The five bytes Windows-1252 leaves undefined stay as their C1 code points.
 */
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';

class Cp1252Decoder implements BytesDecoder {
  decode(bytes: Uint8Array): string {
    let out = '';
    for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b);
    return out;
  }
}

/** The decoder of a legacy encoding by its WHATWG label (cp1252, latin1, iso-8859-15, koi8-r …). */
export function legacyDecoder(encoding: string): BytesDecoder {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    throw new PchatError('invalid_input', `--log-encoding: "${encoding}" is not an encoding this Node.js knows (e.g. cp1252, iso-8859-15, koi8-r)`, { field: '--log-encoding' });
  }
  return decoder.encoding === 'windows-1252' ? new Cp1252Decoder() : decoder;
}
