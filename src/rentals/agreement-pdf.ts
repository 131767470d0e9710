/**
 * The signed agreement as a PDF (pdfkit): the stored agreement text, line for
 * line, with its headings in bold, then the signature record. The PDF uses
 * the standard Helvetica fonts (Windows-1252 characters); a character outside
 * them is printed as "?" — the stored text and its SHA-256, shown on the
 * agreement page, stay the record of what was signed.
 */

export interface SignedAgreement {
  number: string;
  agreementText: string;
  agreementSha256: string;
  signatureName: string;
  signedAt: Date;
  signedIp: string | null;
}

// Windows-1252 beyond Latin-1: what Helvetica can print besides U+0020–U+007E and U+00A0–U+00FF.
const WIN_ANSI_EXTRA = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ']);
const REPLACEMENTS: Record<string, string> = { '−': '-', '≤': '<=', '≥': '>=', '→': '->', '\u2009': ' ', '\u202f': ' ' };

/** The text with every character Helvetica cannot print replaced. */
export function printable(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || c === '\n' || WIN_ANSI_EXTRA.has(c)) return c;
      return REPLACEMENTS[c] ?? '?';
    })
    .join('');
}

/** A heading of the agreement text: a line of capitals (the title and each section's name). */
function isHeading(line: string): boolean {
  return /[A-Z]/.test(line) && line === line.toUpperCase() && line.length <= 80;
}

/** pdfkit (some 13 MB once loaded) is loaded at the first agreement asked for, not by every web process. */
const loadPdfKit = () => import('pdfkit').then((m) => m.default);

export async function agreementPdf(a: SignedAgreement): Promise<Buffer> {
  const PDFDocument = await loadPdfKit();
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'LETTER', margin: 60, info: { Title: `Rent-to-own agreement ${a.number}`, Author: 'GigGatek' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica').fontSize(9).fillColor('#555').text(`Agreement ${a.number}`, { align: 'right' }).moveDown(0.5).fillColor('#000');
    const [title] = a.agreementText.split('\n');
    for (const line of printable(a.agreementText).replace(/\n+$/, '').split('\n')) {
      if (line === '') doc.moveDown(0.4);
      else if (line === title) doc.font('Helvetica-Bold').fontSize(14).text(line);
      else if (isHeading(line)) doc.moveDown(0.5).font('Helvetica-Bold').fontSize(11).text(line);
      else doc.font('Helvetica').fontSize(10).text(line, { align: 'left' });
    }
    doc.moveDown(1.5).font('Helvetica-Bold').fontSize(11).text('SIGNATURE');
    doc.moveDown(0.4).font('Helvetica').fontSize(10);
    doc.text(printable(`Signed by typing the name "${a.signatureName}" on ${a.signedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC${a.signedIp ? ` from IP address ${a.signedIp}` : ''}.`));
    doc.text(`SHA-256 of the agreement text: ${a.agreementSha256}`);
    doc.end();
  });
}
