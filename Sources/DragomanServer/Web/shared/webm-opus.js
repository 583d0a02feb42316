// Opus packets as WebM, for Media Source Extensions (listener/mse-player.js): an initialization
// segment (EBML header, Segment of unknown size, Info, Tracks with one A_OPUS track) and media
// segments (one Cluster of SimpleBlocks each). Times in milliseconds (TimecodeScale 1 ms); every
// packet is one 20 ms frame, so a block's time is its index × 20 ms and needs nothing from the wire.
// Matroska/WebM: https://www.matroska.org/technical/elements.html, Opus in it:
// https://wiki.xiph.org/MatroskaOpus.

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
};

export const WEBM_OPUS_TYPE = 'audio/webm; codecs="opus"';

function idBytes(id) {
  const out = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return out;
}

/** An EBML size as a variable-length integer (1–8 bytes); null: "unknown" (live segments). */
function sizeBytes(size) {
  if (size === null) return [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  let length = 1;
  while (size >= 2 ** (7 * length) - 1) length += 1;
  const out = new Array(length);
  let v = size;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  out[0] |= 0x80 >> (length - 1);
  return out;
}

function uintBytes(value) {
  const out = [];
  let v = value;
  do {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return out;
}

function concat(parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function element(id, body) {
  const data = body instanceof Uint8Array ? body : Uint8Array.from(body);
  return concat([Uint8Array.from(idBytes(id)), Uint8Array.from(sizeBytes(data.length)), data]);
}

const uint = (id, value) => element(id, uintBytes(value));
const text = (id, value) => element(id, new TextEncoder().encode(value));

function float64(id, value) {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return element(id, bytes);
}

/** The pre-skip (samples at 48 kHz) of a 19-byte OpusHead, or 0. */
function preSkip(opusHead) {
  return opusHead && opusHead.length >= 12 ? opusHead[10] | (opusHead[11] << 8) : 0;
}

/** The initialization segment for one Opus track; opusHead: the OpusHead bytes (or null). */
export function webmInitSegment({ opusHead = null, sampleRate = 48000, channels = 1 } = {}) {
  const head = opusHead || opusHeadFor({ channels, sampleRate });
  const ebml = element(ID.EBML, concat([
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    text(ID.DocType, 'webm'),
    uint(ID.DocTypeVersion, 4),
    uint(ID.DocTypeReadVersion, 2),
  ]));
  const info = element(ID.Info, concat([
    uint(ID.TimecodeScale, 1000000),
    text(ID.MuxingApp, 'Dragoman'),
    text(ID.WritingApp, 'Dragoman'),
  ]));
  const track = element(ID.TrackEntry, concat([
    uint(ID.TrackNumber, 1),
    uint(ID.TrackUID, 1),
    uint(ID.TrackType, 2),
    text(ID.CodecID, 'A_OPUS'),
    element(ID.CodecPrivate, head),
    uint(ID.CodecDelay, Math.round((preSkip(head) * 1e9) / 48000)),
    uint(ID.SeekPreRoll, 80000000),
    element(ID.Audio, concat([float64(ID.SamplingFrequency, sampleRate), uint(ID.Channels, channels)])),
  ]));
  const segmentHead = concat([Uint8Array.from(idBytes(ID.Segment)), Uint8Array.from(sizeBytes(null))]);
  return concat([ebml, segmentHead, info, element(ID.Tracks, track)]);
}

/** A minimal OpusHead (no pre-skip) when the server sent none. */
export function opusHeadFor({ channels = 1, sampleRate = 48000 } = {}) {
  const head = new Uint8Array(19);
  head.set(new TextEncoder().encode('OpusHead'), 0);
  head[8] = 1;
  head[9] = channels;
  new DataView(head.buffer).setUint32(12, sampleRate, true);
  return head;
}

/**
 * One media segment: a Cluster at timeMs holding the packets (Uint8Array each) as SimpleBlocks
 * frameMs apart. A cluster's blocks are at most 32 s after its time (int16 ms), far more than needed.
 */
export function webmCluster(timeMs, packets, frameMs = 20) {
  const parts = [uint(ID.Timecode, Math.round(timeMs))];
  packets.forEach((payload, i) => {
    const header = new Uint8Array(4);
    header[0] = 0x81; // track 1
    new DataView(header.buffer).setInt16(1, Math.round(i * frameMs));
    header[3] = 0x80; // keyframe: every Opus packet decodes on its own
    parts.push(element(ID.SimpleBlock, concat([header, payload])));
  });
  return element(ID.Cluster, concat(parts));
}
