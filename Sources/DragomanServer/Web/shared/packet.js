// The 24-byte header of a binary audio packet, and bundles of them (docs/protocol.md, "audio packets").

export const HEADER_BYTES = 24;
export const KIND_OPUS = 1;
export const KIND_PCM = 2;
export const FLAG_DISCONTINUITY = 1;
/** The first byte of a bundle: two or three consecutive packets in one message (a room set to 40 or 60 ms). */
export const BUNDLE_VERSION = 2;

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
  if (!(buffer instanceof ArrayBuffer)) return null;
  return packetAt(buffer, 0, buffer.byteLength);
}

function packetAt(buffer, offset, length) {
  if (length < HEADER_BYTES || offset + length > buffer.byteLength) return null;
  const view = new DataView(buffer, offset, length);
  if (view.getUint8(0) !== 1) return null;
  const flags = view.getUint16(2);
  return {
    kind: view.getUint8(1),
    flags,
    discontinuity: (flags & FLAG_DISCONTINUITY) !== 0,
    seq: view.getUint32(4),
    ingestUs: uint64(view, 8),
    sendUs: uint64(view, 16),
    payload: new Uint8Array(buffer, offset + HEADER_BYTES, length - HEADER_BYTES),
  };
}

/**
 * The packets of one binary message, in order: one packet, or each of a bundle (first byte 2, then the count, then
 * each packet as a 16-bit big-endian length and the packet). Malformed or unknown messages give [].
 */
export function parsePackets(buffer) {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 2) return [];
  const view = new DataView(buffer);
  if (view.getUint8(0) !== BUNDLE_VERSION) {
    const packet = parsePacket(buffer);
    return packet ? [packet] : [];
  }
  const packets = [];
  let offset = 2;
  for (let i = 0; i < view.getUint8(1); i++) {
    if (offset + 2 > buffer.byteLength) return [];
    const length = view.getUint16(offset);
    const packet = packetAt(buffer, offset + 2, length);
    if (!packet) return [];
    packets.push(packet);
    offset += 2 + length;
  }
  return packets;
}
