/**
 * Scale byte vectors. "devices.md" ones come from the design notes (manufacturers' manuals); the rest
 * were computed here with an independent script (Python, XOR by hand for XK3190) and checked against
 * the manuals' layouts.
 */
export function bytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

// --- MT-SICS -------------------------------------------------------------------------------------
/** devices.md: `S\r\n` = 53 0D 0A */
export const MT_CMD_S = bytes('53 0D 0A');
/** devices.md: `S S     100.00 g\r\n` = 53 20 53 20 20 20 20 20 31 30 30 2E 30 30 20 67 0D 0A */
export const MT_STABLE_100G = bytes('53 20 53 20 20 20 20 20 31 30 30 2E 30 30 20 67 0D 0A');
/** devices.md: `S D      1.234 g\r\n` = 53 20 44 20 20 20 20 20 20 31 2E 32 33 34 20 67 0D 0A */
export const MT_DYNAMIC_1234MG = bytes('53 20 44 20 20 20 20 20 20 31 2E 32 33 34 20 67 0D 0A');
/** devices.md: `Z A\r\n` = 5A 20 41 0D 0A */
export const MT_ZERO_DONE = bytes('5A 20 41 0D 0A');
/** devices.md: overload `S +\r\n` = 53 20 2B 0D 0A */
export const MT_OVERLOAD = bytes('53 20 2B 0D 0A');
/** devices.md: unknown command `ES\r\n` = 45 53 0D 0A */
export const MT_SYNTAX_ERROR = bytes('45 53 0D 0A');
/** `S -\r\n` = 53 20 2D 0D 0A */
export const MT_UNDERLOAD = bytes('53 20 2D 0D 0A');
/** `S I\r\n` = 53 20 49 0D 0A (busy, or no stable weight in time) */
export const MT_BUSY = bytes('53 20 49 0D 0A');
/** `I4 A "B021002593"\r\n` = 49 34 20 41 20 22 42 30 32 31 30 30 32 35 39 33 22 0D 0A */
export const MT_SERIAL = bytes('49 34 20 41 20 22 42 30 32 31 30 30 32 35 39 33 22 0D 0A');
/** `T S      50.00 g\r\n` = 54 20 53 20 20 20 20 20 20 35 30 2E 30 30 20 67 0D 0A */
export const MT_TARE_50G = bytes('54 20 53 20 20 20 20 20 20 35 30 2E 30 30 20 67 0D 0A');

// --- Yaohua XK3190 tF=0 -----------------------------------------------------------------------------
/** devices.md: +20.00 = 02 2B 30 30 32 30 30 30 32 31 42 03 */
export const XK_PLUS_20_00 = bytes('02 2B 30 30 32 30 30 30 32 31 42 03');
/** devices.md: 0 = 02 2B 30 30 30 30 30 30 30 31 42 03 */
export const XK_ZERO = bytes('02 2B 30 30 30 30 30 30 30 31 42 03');
/** devices.md: -125.0 = 02 2D 30 30 31 32 35 30 31 31 41 03 */
export const XK_MINUS_125_0 = bytes('02 2D 30 30 31 32 35 30 31 31 41 03');
/** +1.234 = 02 2B 30 30 31 32 33 34 33 31 43 03 (XOR 0x1C) */
export const XK_PLUS_1_234 = bytes('02 2B 30 30 31 32 33 34 33 31 43 03');
/** +999999 = 02 2B 39 39 39 39 39 39 30 31 42 03 (XOR 0x1B: six equal digits cancel) */
export const XK_PLUS_999999 = bytes('02 2B 39 39 39 39 39 39 30 31 42 03');
/** -0.50 = 02 2D 30 30 30 30 35 30 32 31 41 03 (XOR 0x1A) */
export const XK_MINUS_0_50 = bytes('02 2D 30 30 30 30 35 30 32 31 41 03');
/** +1.2345 = 02 2B 30 31 32 33 34 35 34 31 45 03 (XOR 0x1E, four decimals) */
export const XK_PLUS_1_2345 = bytes('02 2B 30 31 32 33 34 35 34 31 45 03');

// --- A&D / CAS ----------------------------------------------------------------------------------
/** devices.md: `ST,+001234.5  g\r\n` = 53 54 2C 2B 30 30 31 32 33 34 2E 35 20 20 67 0D 0A */
export const AND_BALANCE_STABLE = bytes('53 54 2C 2B 30 30 31 32 33 34 2E 35 20 20 67 0D 0A');
/** devices.md: `ST,GS,+0012.34kg\r\n` = 53 54 2C 47 53 2C 2B 30 30 31 32 2E 33 34 6B 67 0D 0A */
export const AND_INDICATOR_GROSS = bytes('53 54 2C 47 53 2C 2B 30 30 31 32 2E 33 34 6B 67 0D 0A');
/** `US,NT,-0000.50kg\r\n` = 55 53 2C 4E 54 2C 2D 30 30 30 30 2E 35 30 6B 67 0D 0A */
export const AND_INDICATOR_NET_UNSTABLE = bytes('55 53 2C 4E 54 2C 2D 30 30 30 30 2E 35 30 6B 67 0D 0A');
/** A&D balance overload `OL,+9999999E+19\r\n` (GH/GX manuals) */
export const AND_BALANCE_OVERLOAD = ascii('OL,+9999999E+19\r\n');
/** A&D indicator minus overflow `OL,GS,-    .  kg\r\n` (OP-05 manual) */
export const AND_INDICATOR_UNDERLOAD = ascii('OL,GS,-    .  kg\r\n');
