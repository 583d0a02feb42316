// The 24-byte header of a binary audio packet (docs/protocol.md, "audio packets").

export const HEADER_BYTES = 24;
export const KIND_OPUS = 1;
export const KIND_PCM = 2;
export const FLAG_DISCONTINUITY = 1;

function uint64(view, offset) {
  // Microseconds since 1970 stay below 2^53 until the year 2255.
  return view.getUint32(offset) * 4294967296 + view.getUint32(offset + 4);
}

/**
 * Parses one binary message (an ArrayBuffer). Returns null for a packet of another version or
 * one too short to have a header.
 * { kind, flags, discontinuity, seq, ingestUs, sendUs, payload: Uint8Array }
 */
export function parsePacket(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < HEADER_BYTES) return null;
  const view = new DataView(buffer);
  if (view.getUint8(0) !== 1) return null;
  const flags = view.getUint16(2);
  return {
    kind: view.getUint8(1),
    flags,
    discontinuity: (flags & FLAG_DISCONTINUITY) !== 0,
    seq: view.getUint32(4),
    ingestUs: uint64(view, 8),
    sendUs: uint64(view, 16),
    payload: new Uint8Array(buffer, HEADER_BYTES),
  };
}
