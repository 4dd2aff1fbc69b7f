// npm run make:wallpapers: draws the catalog's wallpapers as PNGs (no network, no image library):
// thumbnails into web/public/thumbnails, full resolution into private/wallpapers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { fullResFile, WALLPAPERS } from '../catalog/wallpapers.ts';

function png(width: number, height: number, colors: [string, string, string]): Buffer {
  const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      // A diagonal three-stop gradient with a soft wave, so each image has some shape.
      const t = Math.min(
        1,
        Math.max(0, (x / width) * 0.4 + (y / height) * 0.6 + 0.06 * Math.sin((x / width) * 6.28 * 2)),
      );
      const [a, b, u] = t < 0.5 ? [rgb[0], rgb[1], t * 2] : [rgb[1], rgb[2], (t - 0.5) * 2];
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = Math.round(a[c] + (b[c] - a[c]) * u);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolor
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync('web/public/thumbnails', { recursive: true });
mkdirSync('private/wallpapers', { recursive: true });
for (const w of WALLPAPERS) {
  writeFileSync(`web/public/thumbnails/${w.slug}.png`, png(320, 180, w.colors));
  writeFileSync(`private/wallpapers/${fullResFile(w.slug)}`, png(1920, 1080, w.colors));
}
console.log(`drew ${WALLPAPERS.length} wallpapers`);
