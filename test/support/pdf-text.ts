// Reads back what PDFKit wrote into an uncompressed PDF (compress: false): the page count and the
// text of every TJ/Tj operator (PDFKit writes standard-font text as WinAnsi hex strings).
// Enough to check a report without a PDF parser; not a general reader.

export interface PdfFacts {
  header: string;
  pages: number;
  /** One entry per text operator, in content order. */
  texts: string[];
  /** True when the file ends with a cross-reference table pointer and %%EOF. */
  trailer: boolean;
}

const WIN_ANSI_EXTRA: Readonly<Record<number, string>> = { 0x96: '–', 0x97: '—', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x85: '…', 0x80: '€' };

function hexText(hex: string): string {
  let s = '';
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    s += WIN_ANSI_EXTRA[b] ?? String.fromCharCode(b);
  }
  return s;
}

export function readPdf(bytes: Buffer): PdfFacts {
  const raw = bytes.toString('latin1');
  const texts: string[] = [];
  for (const m of raw.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
    const parts = m[1] !== undefined ? [...m[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => x[1] as string) : [m[2] as string];
    texts.push(parts.map(hexText).join(''));
  }
  const counts = [...raw.matchAll(/\/Type \/Pages[\s\S]*?\/Count (\d+)/g)].map((m) => Number(m[1]));
  return { header: raw.slice(0, 8), pages: Math.max(0, ...counts), texts, trailer: /startxref\s+\d+\s+%%EOF\s*$/.test(raw) };
}
