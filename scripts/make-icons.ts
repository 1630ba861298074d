/**
 * `npx tsx scripts/make-icons.ts`: draws the Teams app icons into manifest/.
 *
 *   manifest/color.png    192×192, the glyph in white on a full-bleed accent background
 *   manifest/outline.png   32×32, the same glyph in white on a transparent background
 *
 * The PNGs are committed; this script is how they were made and how to remake them. It draws with
 * signed distances and a tiny PNG encoder on node's zlib, so it needs no image library or browser,
 * and the pixels are the same on every machine (test/manifest checks the committed files against it).
 *
 * The glyph is a shopping bag with a check mark cut out of it: "bought".
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

/** The manifest's accentColor: Teams shows it behind the color icon, so they must match. */
export const ACCENT_COLOR = '#0F6CBD';

export interface Rgba {
  width: number;
  height: number;
  /** width × height × 4 bytes, rows top to bottom, non-premultiplied. */
  data: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// The glyph, in a unit box (x right, y down). Scalar code and Math.sqrt only: it runs for every
// sample, and sqrt (unlike Math.hypot) is exactly rounded, so every machine draws the same pixels.

type Point = readonly [number, number];

/** Distance from (x, y) to the segment a–b. */
const segment = (x: number, y: number, a: Point, b: Point): number => {
  const px = x - a[0];
  const py = y - a[1];
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  const ex = px - t * dx;
  const ey = py - t * dy;
  return Math.sqrt(ex * ex + ey * ey);
};

/** Signed distance to a convex polygon (corners clockwise), grown by r to round its corners. */
const roundedPolygon = (x: number, y: number, corners: readonly Point[], r: number): number => {
  let edge = Infinity;
  let inside = true;
  for (let i = 0; i < corners.length; i++) {
    const a = corners[i];
    const b = corners[(i + 1) % corners.length];
    edge = Math.min(edge, segment(x, y, a, b));
    // Clockwise in y-down coordinates: the inside is to the right of every edge.
    if ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) < 0) inside = false;
  }
  return (inside ? -edge : edge) - r;
};

// A bag narrower at the top than at the bottom, so that it reads as a bag and not as a padlock.
const BODY: readonly Point[] = [
  [0.24, 0.36],
  [0.76, 0.36],
  [0.86, 0.92],
  [0.14, 0.92],
];
const BODY_ROUNDING = 0.05;
const HANDLE = { cx: 0.5, cy: 0.36, radius: 0.16, half: 0.04 };
const CHECK: readonly Point[] = [
  [0.35, 0.67],
  [0.46, 0.78],
  [0.66, 0.57],
];
const CHECK_HALF = 0.05;

/**
 * Signed distance to the glyph (negative inside): the bag's body and the upper half of the handle's
 * ring, minus the check mark. Combining exact distances with min/max gives a bound, never more
 * than the true distance, which is all coverage() needs to skip pixels far from an edge.
 */
const glyphDistance = (x: number, y: number): number => {
  const hx = x - HANDLE.cx;
  const hy = y - HANDLE.cy;
  const handle = Math.max(Math.abs(Math.sqrt(hx * hx + hy * hy) - HANDLE.radius) - HANDLE.half, hy);
  const body = roundedPolygon(x, y, BODY, BODY_ROUNDING);
  const check = Math.min(segment(x, y, CHECK[0], CHECK[1]), segment(x, y, CHECK[1], CHECK[2])) - CHECK_HALF;
  return Math.min(handle, Math.max(body, -check));
};

/**
 * How much of each pixel the glyph covers (0–1), the glyph's unit box mapped onto the square
 * [inset, size - inset]. Pixels near an edge are sampled 8×8 for smooth edges at 32 px; the rest
 * are wholly in or out (the same result as sampling them, at a fraction of the cost).
 */
const coverage = (size: number, inset: number): Float64Array => {
  const n = 8;
  const out = new Float64Array(size * size);
  const scale = size - 2 * inset;
  const halfDiagonal = Math.SQRT1_2 / scale;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const centre = glyphDistance((px + 0.5 - inset) / scale, (py + 0.5 - inset) / scale);
      if (Math.abs(centre) > halfDiagonal) {
        out[py * size + px] = centre < 0 ? 1 : 0;
        continue;
      }
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          if (glyphDistance((px + (sx + 0.5) / n - inset) / scale, (py + (sy + 0.5) / n - inset) / scale) <= 0) hits++;
        }
      }
      out[py * size + px] = hits / (n * n);
    }
  }
  return out;
};

const hexRgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** 192×192, opaque: Teams rounds the corners itself, so the background fills the square. */
export const drawColorIcon = (): Rgba => {
  const size = 192;
  // Microsoft's guidance keeps the symbol inside the central 96–120 px; 40 px each side leaves 112.
  const cover = coverage(size, 40);
  const bg = hexRgb(ACCENT_COLOR);
  const data = new Uint8Array(size * size * 4);
  cover.forEach((c, i) => {
    for (let k = 0; k < 3; k++) data[i * 4 + k] = Math.round(bg[k] + (255 - bg[k]) * c);
    data[i * 4 + 3] = 255;
  });
  return { width: size, height: size, data };
};

/** 32×32, white only: Teams tints the outline icon itself and requires white on transparent. */
export const drawOutlineIcon = (): Rgba => {
  const size = 32;
  const cover = coverage(size, 2);
  const data = new Uint8Array(size * size * 4);
  cover.forEach((c, i) => {
    data.fill(255, i * 4, i * 4 + 3);
    data[i * 4 + 3] = Math.round(255 * c);
  });
  return { width: size, height: size, data };
};

// ---------------------------------------------------------------------------------------------
// PNG: 8-bit RGBA, no filtering (the images are tiny; deflate does the work).

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const chunk = (type: string, body: Uint8Array): Buffer => {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
};

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const encodePng = ({ width, height, data }: Rgba): Buffer => {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
};

/** Width and height from a PNG's IHDR, or null when the bytes are not a PNG. */
export const pngSize = (png: Buffer): { width: number; height: number } | null => {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
};

export const ICON_FILES = { color: 'color.png', outline: 'outline.png' } as const;

export const makeIcons = (dir: string): string[] => {
  const files = [
    [path.join(dir, ICON_FILES.color), encodePng(drawColorIcon())],
    [path.join(dir, ICON_FILES.outline), encodePng(drawOutlineIcon())],
  ] as const;
  for (const [file, bytes] of files) writeFileSync(file, bytes);
  return files.map(([file]) => file);
};

if (require.main === module) {
  const written = makeIcons(path.resolve(__dirname, '..', 'manifest'));
  process.stdout.write(`${written.map((f) => `wrote ${path.relative(process.cwd(), f)}`).join('\n')}\n`);
}
