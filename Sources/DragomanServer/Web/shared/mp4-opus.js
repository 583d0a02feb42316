// Opus packets as fragmented MP4, for Media Source Extensions where WebM/Opus is not played
// (listener/mse-player.js; Safari documents 'audio/mp4; codecs="opus"'). As webm-opus.js: an
// initialization segment and a media segment per group of 20 ms packets, timed in 48 kHz samples
// (Opus's clock). ISO/IEC 14496-12; Opus in it: https://opus-codec.org/docs/opus_in_isobmff.html.
// All big-endian, dOps too (the OpusHead it comes from is little-endian).
//   init:  ftyp moov[mvhd trak[tkhd mdia[mdhd hdlr minf[smhd dinf[dref]
//                    stbl[stsd[Opus[dOps]] stts stsc stsz stco (empty)]]]] mvex[trex]]
//   media: moof[mfhd traf[tfhd tfdt trun]] mdat

export const MP4_OPUS_TYPE = 'audio/mp4; codecs="opus"';

const TIMESCALE = 48000; // Opus decodes at 48 kHz whatever the input
const TRACK_ID = 1;
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000; // sample offsets count from the start of their moof
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_SAMPLE_DURATION = 0x000100;
const TRUN_SAMPLE_SIZE = 0x000200;

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

/** Big-endian unsigned fields, [byteWidth, value] each (width 1, 2, 4 or 8). */
function fields(...list) {
  const out = new Uint8Array(list.reduce((n, [width]) => n + width, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [width, value] of list) {
    if (width === 1) view.setUint8(at, value);
    else if (width === 2) view.setUint16(at, value);
    else if (width === 4) view.setUint32(at, value);
    else {
      view.setUint32(at, Math.floor(value / 2 ** 32));
      view.setUint32(at + 4, value % 2 ** 32);
    }
    at += width;
  }
  return out;
}

const ascii = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A box: 32-bit size (header included), type, body. */
function box(type, ...body) {
  const content = concat(body);
  return concat([fields([4, 8 + content.length]), ascii(type), content]);
}

/** A box whose body starts with a version byte and 24 bits of flags. */
function fullBox(type, version, flags, ...body) {
  return box(type, fields([1, version], [1, (flags >> 16) & 0xff], [2, flags & 0xffff]), ...body);
}

const matrix = () => fields(...UNITY_MATRIX.map((v) => [4, v]));

/** The OpusHead's fields (RFC 7845 §5.1), or those of a plain stream. */
function opusHeadFields(opusHead, { channels, sampleRate }) {
  if (!opusHead || opusHead.length < 19) {
    return { channels, preSkip: 0, inputSampleRate: sampleRate, outputGain: 0, mappingFamily: 0, mappingTable: null };
  }
  const view = new DataView(opusHead.buffer, opusHead.byteOffset, opusHead.byteLength);
  const mappingFamily = opusHead[18];
  return {
    channels: opusHead[9],
    preSkip: view.getUint16(10, true),
    inputSampleRate: view.getUint32(12, true),
    outputGain: view.getInt16(16, true),
    mappingFamily,
    // Stream count, coupled count, one byte per channel: the same bytes in dOps.
    mappingTable: mappingFamily !== 0 ? opusHead.subarray(19, 21 + opusHead[9]) : null,
  };
}

/**
 * dOps: the OpusHead's fields without its magic, big-endian, Version 0 (OpusHead's is 1). The pre-skip
 * reaches the decoder here as WebM's CodecDelay does; no edit list trims it from a live timeline.
 */
function dOps(head) {
  return box('dOps',
    fields([1, 0], [1, head.channels], [2, head.preSkip], [4, head.inputSampleRate], [2, head.outputGain & 0xffff],
      [1, head.mappingFamily]),
    head.mappingTable || new Uint8Array(0));
}

/** The 'Opus' sample entry: an AudioSampleEntry (48 kHz, 16 bits, as the spec says) holding dOps. */
function opusSampleEntry(head) {
  return box('Opus',
    fields([2, 0], [2, 0], [2, 0], [2, 1]), // reserved, data_reference_index 1
    // reserved, channelcount, samplesize, pre_defined, reserved, samplerate (16.16)
    fields([4, 0], [4, 0], [2, head.channels], [2, 16], [2, 0], [2, 0], [4, TIMESCALE * 0x10000]),
    dOps(head));
}

/** The initialization segment; opusHead: the OpusHead bytes (or null); frameMs: the packets' duration. */
export function mp4InitSegment({ opusHead = null, sampleRate = 48000, channels = 1, frameMs = 20 } = {}) {
  const head = opusHeadFields(opusHead, { channels, sampleRate });
  // iso5: the first brand with default-base-is-moof; Opus: the Opus-in-ISOBMFF brand.
  const ftyp = box('ftyp', ascii('iso5'), fields([4, 0]), ascii('iso5'), ascii('iso6'), ascii('mp41'), ascii('Opus'));
  // Durations 0: a live stream, its samples all in fragments.
  const mvhd = fullBox('mvhd', 0, 0,
    fields([4, 0], [4, 0], [4, TIMESCALE], [4, 0], [4, 0x00010000], [2, 0x0100], [2, 0], [4, 0], [4, 0]),
    matrix(),
    fields([4, 0], [4, 0], [4, 0], [4, 0], [4, 0], [4, 0], [4, TRACK_ID + 1]));
  const tkhd = fullBox('tkhd', 0, 0x000003, // enabled, in the movie
    fields([4, 0], [4, 0], [4, TRACK_ID], [4, 0], [4, 0], [4, 0], [4, 0], [2, 0], [2, 0], [2, 0x0100], [2, 0]),
    matrix(),
    fields([4, 0], [4, 0])); // width, height: none for sound
  const language = (('u'.charCodeAt(0) - 0x60) << 10) | (('n'.charCodeAt(0) - 0x60) << 5) | ('d'.charCodeAt(0) - 0x60);
  const mdhd = fullBox('mdhd', 0, 0, fields([4, 0], [4, 0], [4, TIMESCALE], [4, 0], [2, language], [2, 0]));
  const hdlr = fullBox('hdlr', 0, 0, fields([4, 0]), ascii('soun'), fields([4, 0], [4, 0], [4, 0]), ascii('Dragoman\0'));
  const smhd = fullBox('smhd', 0, 0, fields([2, 0], [2, 0]));
  const dinf = box('dinf', fullBox('dref', 0, 0, fields([4, 1]), fullBox('url ', 0, 0x000001))); // media in this file
  const stbl = box('stbl',
    fullBox('stsd', 0, 0, fields([4, 1]), opusSampleEntry(head)),
    fullBox('stts', 0, 0, fields([4, 0])),
    fullBox('stsc', 0, 0, fields([4, 0])),
    fullBox('stsz', 0, 0, fields([4, 0], [4, 0])),
    fullBox('stco', 0, 0, fields([4, 0])));
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', smhd, dinf, stbl)));
  // Sample flags 0: every sample is a sync sample (an Opus packet decodes on its own).
  const trex = fullBox('trex', 0, 0, fields([4, TRACK_ID], [4, 1], [4, frameMs * (TIMESCALE / 1000)], [4, 0], [4, 0]));
  return concat([ftyp, box('moov', mvhd, trak, box('mvex', trex))]);
}

/** One media segment: the packets (Uint8Array each) from timeMs, frameMs apart; sequence: 1, 2, … */
export function mp4Fragment(timeMs, packets, frameMs = 20, sequence = 1) {
  const sampleDuration = frameMs * (TIMESCALE / 1000);
  const moof = (dataOffset) => box('moof',
    fullBox('mfhd', 0, 0, fields([4, sequence])),
    box('traf',
      fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, fields([4, TRACK_ID])),
      fullBox('tfdt', 1, 0, fields([8, Math.round(timeMs * (TIMESCALE / 1000))])), // baseMediaDecodeTime
      fullBox('trun', 0, TRUN_DATA_OFFSET | TRUN_SAMPLE_DURATION | TRUN_SAMPLE_SIZE,
        fields([4, packets.length], [4, dataOffset]),
        ...packets.map((p) => fields([4, sampleDuration], [4, p.length])))));
  // The data offset: from the moof's first byte to mdat's first sample (past its 8-byte header).
  const size = moof(0).length;
  return concat([moof(size + 8), box('mdat', ...packets)]);
}
