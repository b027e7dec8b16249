/**
 * A minimal PNG decoder for tests (8-bit RGB/RGBA, non-interlaced, as
 * Chromium's screenshots are): size and the count of distinct colours, to
 * tell a drawn page from a blank one.
 * @module
 */
import { inflateSync } from "node:zlib";

/** Width, height and the distinct colours of a PNG. */
export interface PngSummary {
  width: number;
  height: number;
  /** Number of distinct RGB colours. */
  colours: number;
  /** Pixels that are not white (RGB all ≥ 250 counts as white). */
  nonWhite: number;
}

/**
 * Decodes `bytes` and summarises its pixels.
 * @throws {Error} when the file is not a PNG or uses a form this decoder does not read
 */
export function summarizePng(bytes: Uint8Array): PngSummary {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error("not a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, colourType = 0, depth = 0, interlace = 0;
  const idat: Uint8Array[] = [];
  while (pos < bytes.length) {
    const len = view.getUint32(pos);
    const type = new TextDecoder().decode(bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      depth = data[8];
      colourType = data[9];
      interlace = data[12];
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  if (depth !== 8 || channels === 0 || interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${colourType}`);
  }
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of idat) {
    joined.set(c, at);
    at += c.length;
  }
  const raw = new Uint8Array(inflateSync(joined));
  const stride = width * channels;
  let prev = new Uint8Array(stride);
  const colours = new Set<number>();
  let nonWhite = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[i] = (line[i] + p) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const r = out[x * channels], g = out[x * channels + 1], bl = out[x * channels + 2];
      colours.add((r << 16) | (g << 8) | bl);
      if (r < 250 || g < 250 || bl < 250) nonWhite++;
    }
    prev = out;
  }
  return { width, height, colours: colours.size, nonWhite };
}
