/**
 * Checksums for everything a process persists: FNV-1a 32 over the text taken
 * two UTF-16 code units per 32-bit word (the first in the high half; an odd
 * last unit alone), written as 8 hex digits. Every unit lands in the low or
 * high half of a word, so a flipped bit changes the sum. It is not
 * cryptographic; it exists so that a torn write or a flipped bit is detected
 * before it is trusted.
 */
export function checksum(data: string): string {
  return sum32(data).toString(16).padStart(8, '0');
}

/** The checksum as an unsigned 32-bit integer. */
export function sum32(data: string): number {
  let h = 0x811c9dc5;
  const n = data.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    h ^= (data.charCodeAt(i) << 16) | data.charCodeAt(i + 1);
    h = Math.imul(h, 0x01000193);
  }
  if (i < n) {
    h ^= data.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit integer. */
export function fnv1a32(data: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    h ^= data.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Frames `payload` as `<checksum> <payload>`. `sum` is its checksum when the writer already has it
 * (computed where the data was made, as a file system client checksums what it uploads).
 */
export function seal(payload: string, sum: string = checksum(payload)): string {
  return `${sum} ${payload}`;
}

/** Returns the payload of a sealed frame, or undefined when it is torn or corrupt. */
export function unseal(frame: string | undefined): string | undefined {
  if (frame === undefined || frame.length < 9 || frame[8] !== ' ') return undefined;
  // The 8 lowercase hex digits as a number; anything else written there is damage.
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = frame.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return undefined;
    sum = sum * 16 + digit;
  }
  const payload = frame.slice(9);
  return sum === sum32(payload) ? payload : undefined;
}
