/**
 * Checksums for everything a process persists. FNV-1a over UTF-16 code
 * units, 32 bits, written as 8 hex digits. It is not cryptographic; it exists
 * so that a torn write or a flipped bit is detected before it is trusted.
 */
export function checksum(data: string): string {
  return fnv1a32(data).toString(16).padStart(8, '0');
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

/** Frames `payload` as `<checksum> <payload>`. */
export function seal(payload: string): string {
  return `${checksum(payload)} ${payload}`;
}

/** Returns the payload of a sealed frame, or undefined when it is torn or corrupt. */
export function unseal(frame: string | undefined): string | undefined {
  if (frame === undefined || frame.length < 9 || frame[8] !== ' ') return undefined;
  const payload = frame.slice(9);
  const sum = frame.slice(0, 8);
  // Only lowercase hex digits were ever written; parseInt alone would accept a sign or uppercase.
  if (!/^[0-9a-f]{8}$/.test(sum)) return undefined;
  return parseInt(sum, 16) === fnv1a32(payload) ? payload : undefined;
}
