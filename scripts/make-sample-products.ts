// npm run make:products: writes the sample files that `download` products sell into
// private/products/ (never served statically; only through owner-checked signed URLs).
import { mkdirSync, writeFileSync } from 'node:fs';

/** A one-page PDF with a few lines of text, built by hand (no PDF library needed). */
function pdf(lines: string[]): Buffer {
  const text = lines
    .map((l, i) => `BT /F1 ${i === 0 ? 20 : 12} Tf 72 ${720 - i * 28} Td (${l.replace(/[()\\]/g, '\\$&')}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out);
}

mkdirSync('private/products', { recursive: true });
writeFileSync(
  'private/products/wallpaper-field-guide.pdf',
  pdf([
    'The Wallpaper Field Guide',
    'How the eight instant-shop wallpapers were made:',
    'three colour stops, one diagonal, and a gentle wave.',
    'Thank you for buying this guide.',
  ]),
);
console.log('wrote private/products/wallpaper-field-guide.pdf');
