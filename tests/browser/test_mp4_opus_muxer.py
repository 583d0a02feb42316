"""The fragmented-MP4 muxer of the MSE path (shared/mp4-opus.js), run in headless Chromium: its bytes read back box by
box here in Python (sizes, the dOps made from an OpusHead, trun's sample table and data offset), and the same packets
muxed as MP4 and as WebM land on the same timeline in a real SourceBuffer."""

import struct

SILENCE = [0xF8, 0xFF, 0xFE]  # one 20 ms Opus packet (CELT, full band, mono) of silence

MUX_JS = """
const done = arguments[arguments.length - 1];
(async () => {
  const mp4 = await import('/app/shared/mp4-opus.js');
  const { head, groups } = arguments[0];
  const packets = (n, base) => Array.from({ length: n }, (_, i) => Uint8Array.from([base + i, ...Array(i % 4).fill(i)]));
  const segments = groups.map(([timeMs, n], i) => mp4.mp4Fragment(timeMs, packets(n, i * 16), 20, i + 1));
  done({ init: [...mp4.mp4InitSegment({ opusHead: Uint8Array.from(head) })],
         plain: [...mp4.mp4InitSegment({ channels: 2 })],
         segments: segments.map((s) => [...s]),
         packets: groups.map(([, n], i) => packets(n, i * 16).map((p) => [...p])) });
})().catch((e) => done(String(e)));
"""

BUFFER_JS = """
const done = arguments[arguments.length - 1];
(async () => {
  const mp4 = await import('/app/shared/mp4-opus.js');
  const webm = await import('/app/shared/webm-opus.js');
  const { silence, groups } = arguments[0];
  const head = webm.opusHeadFor({ channels: 1 });
  head[10] = 0x38; head[11] = 0x01; // pre-skip 312, as the server's encoder
  const packets = (n) => Array.from({ length: n }, () => Uint8Array.from(silence));
  async function buffered(type, init, segments) {
    const source = new MediaSource();
    const audio = document.createElement('audio');
    audio.src = URL.createObjectURL(source);
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    const sb = source.addSourceBuffer(type);
    let errors = 0;
    sb.addEventListener('error', () => { errors += 1; });
    for (const bytes of [init, ...segments]) {
      sb.appendBuffer(bytes);
      await new Promise((resolve) => sb.addEventListener('updateend', resolve, { once: true }));
    }
    const ranges = [];
    for (let i = 0; i < sb.buffered.length; i++) ranges.push([sb.buffered.start(i), sb.buffered.end(i)]);
    return { ranges, errors, state: source.readyState };
  }
  done({
    mp4: await buffered(mp4.MP4_OPUS_TYPE, mp4.mp4InitSegment({ opusHead: head }),
      groups.map(([timeMs, n], i) => mp4.mp4Fragment(timeMs, packets(n), 20, i + 1))),
    webm: await buffered(webm.WEBM_OPUS_TYPE, webm.webmInitSegment({ opusHead: head }),
      groups.map(([timeMs, n]) => webm.webmCluster(timeMs, packets(n), 20))),
  });
})().catch((e) => done(String(e)));
"""


def boxes(data: bytes, start: int = 0, end: int | None = None):
    """The boxes laid end to end in data[start:end] as (type, body start, box end); fails unless they fill it exactly."""
    end = len(data) if end is None else end
    out, at = [], start
    while at < end:
        assert at + 8 <= end, f"a box header runs past its parent at {at}"
        size, kind = struct.unpack_from(">I4s", data, at)
        assert 8 <= size and at + size <= end, f"box {kind!r} at {at}: size {size} does not fit in {end - at} bytes"
        out.append((kind.decode("latin-1"), at + 8, at + size))
        at += size
    assert at == end
    return out


CONTAINERS = {"moov", "trak", "mdia", "minf", "dinf", "stbl", "mvex", "moof", "traf"}


def tree(data: bytes, start: int = 0, end: int | None = None) -> dict:
    """{'moov/trak/tkhd': (body start, box end), ...}: every box by its path, each container's children checked to
    fill it exactly; stsd's sample entry and its dOps are opened too."""
    found = {}

    def walk(prefix, s, e):
        for kind, body, box_end in boxes(data, s, e):
            path = f"{prefix}{kind}"
            assert path not in found, f"two {path} boxes"
            found[path] = (body, box_end)
            if kind in CONTAINERS:
                walk(path + "/", body, box_end)
            elif kind == "stsd":
                assert struct.unpack_from(">II", data, body) == (0, 1), "stsd: version 0, one entry"
                walk(path + "/", body + 8, box_end)
            elif kind == "Opus":
                walk(path + "/", body + 28, box_end)  # SampleEntry (8) + AudioSampleEntry (20) fields

    walk("", start, end)
    return found


def test_the_mp4_init_and_media_segments_are_well_formed(server, browser):
    d = browser()
    d.get(server.url + "/")
    # A stereo OpusHead with channel mapping family 1 (one coupled stream, channels 0 and 1), pre-skip 312, input
    # 44.1 kHz, gain -1 dB (Q7.8: -256): every multi-byte field reads differently in the two byte orders.
    head = list(b"OpusHead") + [1, 2] + list(struct.pack("<HIh", 312, 44100, -256)) + [1, 1, 1, 0, 1]
    groups = [[0, 3], [60, 5], [160, 1]]
    r = d.execute_async_script(MUX_JS, {"head": head, "groups": groups})
    assert isinstance(r, dict), r
    init = bytes(r["init"])

    t = tree(init)
    top = [kind for kind, _, _ in boxes(init)]
    assert top == ["ftyp", "moov"], top
    body, _ = t["ftyp"]
    assert init[body:body + 4] == b"iso5" and b"Opus" in init[body + 8:t["ftyp"][1]]
    for path in ("moov/mvhd", "moov/trak/tkhd", "moov/trak/mdia/mdhd", "moov/trak/mdia/hdlr",
                 "moov/trak/mdia/minf/smhd", "moov/trak/mdia/minf/dinf/dref", "moov/trak/mdia/minf/stbl/stts",
                 "moov/trak/mdia/minf/stbl/stsc", "moov/trak/mdia/minf/stbl/stsz", "moov/trak/mdia/minf/stbl/stco",
                 "moov/mvex/trex"):
        assert path in t, f"{path} missing: {sorted(t)}"
    body, _ = t["moov/trak/mdia/mdhd"]
    assert struct.unpack_from(">I", init, body + 12)[0] == 48000, "the track counts 48 kHz samples"
    body, _ = t["moov/trak/mdia/hdlr"]
    assert init[body + 8:body + 12] == b"soun"
    for table in ("stts", "stsc", "stco"):
        body, end = t[f"moov/trak/mdia/minf/stbl/{table}"]
        assert init[body:end] == bytes(8), f"{table} should be empty (the samples are in fragments)"
    body, end = t["moov/trak/mdia/minf/stbl/stsz"]
    assert init[body:end] == bytes(12)
    body, _ = t["moov/mvex/trex"]
    assert struct.unpack_from(">IIIII", init, body + 4) == (1, 1, 960, 0, 0), "trex: track 1, 20 ms, sync samples"

    # The sample entry: 'Opus', 48 kHz in 16.16 whatever the input rate, the OpusHead's channel count.
    body, _ = t["moov/trak/mdia/minf/stbl/stsd/Opus"]
    reference_index, = struct.unpack_from(">H", init, body + 6)
    channels, sample_size, rate = struct.unpack_from(">HH4xI", init, body + 16)
    assert (reference_index, channels, sample_size, rate) == (1, 2, 16, 48000 << 16)
    # dOps: big-endian, Version 0, and the mapping table (stream count, coupled count, one byte per channel) as is.
    body, end = t["moov/trak/mdia/minf/stbl/stsd/Opus/dOps"]
    assert end - body == 11 + 2 + 2, f"dOps body of {end - body} bytes"
    version, out_channels, pre_skip, input_rate, gain, family = struct.unpack_from(">BBHIhB", init, body)
    assert (version, out_channels, pre_skip, input_rate, gain, family) == (0, 2, 312, 44100, -256, 1)
    assert list(init[body + 11:end]) == [1, 1, 0, 1]

    # Without an OpusHead: family 0, no table, the channels asked for.
    plain = bytes(r["plain"])
    body, end = tree(plain)["moov/trak/mdia/minf/stbl/stsd/Opus/dOps"]
    assert struct.unpack_from(">BBHIhB", plain, body) == (0, 2, 0, 48000, 0, 0) and end - body == 11

    for i, ((time_ms, n), segment, packets) in enumerate(zip(groups, r["segments"], r["packets"])):
        seg = bytes(segment)
        assert [kind for kind, _, _ in boxes(seg)] == ["moof", "mdat"]
        t = tree(seg)
        moof_end = t["moof"][1]
        body, _ = t["moof/mfhd"]
        assert struct.unpack_from(">I", seg, body + 4)[0] == i + 1, "fragments are numbered 1, 2, 3"
        body, _ = t["moof/traf/tfhd"]
        assert struct.unpack_from(">II", seg, body) == (0x020000, 1), "tfhd: default-base-is-moof, track 1"
        body, end = t["moof/traf/tfdt"]
        assert seg[body] == 1 and end - body == 12
        assert struct.unpack_from(">Q", seg, body + 4)[0] == time_ms * 48, "baseMediaDecodeTime in 48 kHz samples"
        body, end = t["moof/traf/trun"]
        flags, count, offset = struct.unpack_from(">IIi", seg, body)
        assert flags == 0x000301 and count == n and end - body == 12 + 8 * n
        samples = [struct.unpack_from(">II", seg, body + 12 + 8 * k) for k in range(n)]
        assert [duration for duration, _ in samples] == [960] * n
        assert [size for _, size in samples] == [len(p) for p in packets]
        mdat_body, mdat_end = t["mdat"]
        assert offset == mdat_body, f"trun's data offset {offset} should point at mdat's first byte ({mdat_body})"
        assert mdat_body == moof_end + 8
        assert seg[offset:mdat_end] == b"".join(bytes(p) for p in packets), "mdat holds the packets in order"


def test_chromium_buffers_mp4_fragments_on_the_same_timeline_as_webm(server, browser):
    d = browser()
    d.set_script_timeout(20)
    d.get(server.url + "/")
    assert d.execute_script("return MediaSource.isTypeSupported('audio/mp4; codecs=\"opus\"')") is True
    # Appends as the player makes them: groups of packets at their running time (0.5 s, 0.5 s, then 0.1 s).
    groups = [[0, 25], [500, 25], [1000, 5]]
    r = d.execute_async_script(BUFFER_JS, {"silence": SILENCE, "groups": groups})
    assert isinstance(r, dict), r
    print(f"buffered: mp4 {r['mp4']}, webm {r['webm']}")
    assert r["mp4"]["errors"] == 0 and r["mp4"]["state"] == "open", r
    assert len(r["mp4"]["ranges"]) == 1, f"the fragments should join into one range: {r['mp4']}"
    start, end = r["mp4"]["ranges"][0]
    assert abs(start) < 0.001 and abs(end - 1.1) < 0.001, r["mp4"]
    assert r["mp4"]["ranges"] == r["webm"]["ranges"], "both containers put the packets at the same times"
