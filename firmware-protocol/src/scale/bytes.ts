/** Byte <-> text for the ASCII scale protocols; internal to the scale codecs. */

/** Latin-1 text of bytes: one character per byte, so `raw` keeps every byte that came in. */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
