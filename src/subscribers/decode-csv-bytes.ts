// A subscriber list must be UTF-8. Spreadsheets often save something else: Excel's "Unicode text" is UTF-16,
// and a plain "CSV" from Excel on a Chinese or Western Windows is GBK or Windows-1252. Read as UTF-8 those give
// "missing columns" or mojibake names, so the bytes are checked first and the encoding is named with a way out.

export type DecodedCsv = { ok: true; text: string } | { ok: false; encoding: string; message: string };

const BOMS: Array<[string, number[]]> = [
  // UTF-32 first: its little-endian BOM starts like UTF-16's.
  ['UTF-32LE', [0xff, 0xfe, 0x00, 0x00]],
  ['UTF-32BE', [0x00, 0x00, 0xfe, 0xff]],
  ['UTF-16LE', [0xff, 0xfe]],
  ['UTF-16BE', [0xfe, 0xff]],
];

/** Without a BOM, UTF-16 and UTF-32 show in where the NUL bytes of ASCII text (the header) fall. */
function guessWideEncoding(bytes: Uint8Array): string | null {
  const sample = bytes.subarray(0, 4096 - (Math.min(bytes.length, 4096) % 4));
  if (!sample.includes(0)) return null;
  const zeros = [0, 0, 0, 0];
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) zeros[i % 4]! += 1;
  const share = zeros.map((z) => z / Math.max(1, sample.length / 4));
  const [z0, z1, z2, z3] = share as [number, number, number, number];
  const many = 0.6;
  if (z1 > many && z2 > many && z3 > many) return 'UTF-32LE';
  if (z0 > many && z1 > many && z2 > many) return 'UTF-32BE';
  if (z1 > many && z3 > many) return 'UTF-16LE';
  if (z0 > many && z2 > many) return 'UTF-16BE';
  return 'binary';
}

/**
 * Which legacy encoding invalid UTF-8 most likely is. Chinese text in GBK/GB18030 comes in pairs of high bytes;
 * Western text in Windows-1252/Latin-1 has single accented letters between ASCII ones.
 */
function guessLegacyEncoding(bytes: Uint8Array): 'GB18030' | 'WINDOWS-1252' {
  let run = 0;
  for (const byte of bytes) {
    if (byte >= 0x80) run++;
    else if (run > 0) {
      if (run % 2 === 1) return 'WINDOWS-1252';
      run = 0;
    }
  }
  return run % 2 === 1 ? 'WINDOWS-1252' : 'GB18030';
}

const LEGACY_NAMES = { GB18030: 'GBK/GB18030 (Chinese Windows)', 'WINDOWS-1252': 'Windows-1252/Latin-1 (Western Windows)' };

/** A file name as a shell word, for the iconv hint. */
function shellWord(name: string): string {
  return /^[\w./-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

function convertHint(file: string, from: string): string {
  const out = file.replace(/(\.csv)?$/i, '-utf8.csv');
  return (
    `convert it first, e.g. \`iconv -f ${from} -t UTF-8 ${shellWord(file)} > ${shellWord(out)}\`, ` +
    'or save it from the spreadsheet as "CSV UTF-8"'
  );
}

/**
 * The text of a subscriber CSV, or why it is not UTF-8. A UTF-8 BOM is fine (Excel's "CSV UTF-8" writes one).
 * `file` only words the message.
 */
export function decodeCsvBytes(bytes: Uint8Array, file: string): DecodedCsv {
  const bom = BOMS.find(([, mark]) => mark.every((b, i) => bytes[i] === b))?.[0];
  const wide = bom ?? guessWideEncoding(bytes);
  if (wide === 'binary') {
    return { ok: false, encoding: 'binary', message: 'contains NUL bytes: it is not a text file (expected a UTF-8 CSV)' };
  }
  if (wide) {
    const [, bits, order] = /^UTF-(\d+)(LE|BE)$/.exec(wide) as unknown as [string, string, string];
    return {
      ok: false,
      encoding: wide,
      message:
        `is UTF-${bits} (${order === 'LE' ? 'little' : 'big'}-endian${bom ? ', with a byte-order mark' : ''}), not UTF-8: ` +
        convertHint(file, wide),
    };
  }
  try {
    // `fatal`: a byte that is not UTF-8 is an error instead of a silent U+FFFD in someone's name.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Where: the first replacement character of a lenient decode (the text before it is valid UTF-8).
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
    const line = before.split('\n').length;
    // The decoder drops a UTF-8 BOM from the text; its 3 bytes still count.
    const bomBytes = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const offset = bomBytes + Buffer.byteLength(before, 'utf8');
    const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    const legacy = guessLegacyEncoding(bytes);
    return {
      ok: false,
      encoding: legacy,
      message:
        `is not UTF-8 (line ${line} has the byte 0x${byte}, which UTF-8 does not allow there); it looks like ` +
        `${LEGACY_NAMES[legacy]}: ${convertHint(file, legacy)}`,
    };
  }
}
