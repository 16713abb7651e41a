// URL-safe base64 (RFC 4648 §5) without padding: bytes as text that fits in a link or a query parameter.
// Strict both ways, so each byte string has exactly one text form and every text form one byte string.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;

export function toBase64url(bytes: Uint8Array): string {
  const chars: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const word = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const count = Math.min(3, bytes.length - i) + 1; // 1, 2 or 3 bytes need 2, 3 or 4 digits
    for (let c = 0; c < count; c++) chars.push(ALPHABET.charAt((word >> (18 - 6 * c)) & 63));
  }
  return chars.join('');
}

/**
 * Inverse of toBase64url. Throws a SyntaxError, whose message says what is wrong and where, for any text
 * toBase64url could not produce (padding, the standard alphabet, whitespace, a 4m+1 length, stray bits).
 */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1)
    throw new SyntaxError(`${text.length} characters is not a possible base64url length (4m+1).`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? DIGITS[code]! : -1;
    if (digit < 0) {
      throw new SyntaxError(
        `character ${JSON.stringify(text.charAt(i))} at ${i} is not base64url (A-Z a-z 0-9 - _, no padding).`,
      );
    }
    acc = ((acc << 6) | digit) & 0x3fff; // at most 13 bits are ever pending
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero so that each byte string has exactly one text form.
  if (acc & ((1 << bits) - 1)) throw new SyntaxError('the last character has non-zero unused bits.');
  return out;
}
