"""The summit floor, end to end over real sockets: `dragoman ingest` publishes it, three `dragoman listen` hear it."""

import json

import dragoman_testing as dt
from dragoman_testing import create_event

MIN_NCC = 0.9


def test_three_floor_listeners_hear_the_whole_summit(server, cli, artifacts, summit_audio):
    """Each of three listeners receives the whole floor, in order, with nothing lost and the waveform intact."""
    floor_wav = summit_audio / "summit-floor.wav"
    ref, rate = dt.read_wav(floor_wav)
    assert rate == dt.SAMPLE_RATE
    seconds = len(ref) / rate
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])

    listeners = []
    for i in range(3):
        out = cli.transcript.parent / f"listener{i}.wav"
        stats = cli.transcript.parent / f"listener{i}.stats.json"
        artifacts.keep(out)
        artifacts.keep(stats)
        bg = cli.start("listen", "--server", server.url, "--event", ev["code"], "--channel", "floor",
                       "--output", out, "--duration", 240, "--stats-json", stats)
        listeners.append((bg, out, stats))
    dt.wait_listeners(server, ev["code"], "floor", 3)
    for bg, _, _ in listeners:
        assert bg.running(), f"a listener ended before the floor started: exit {bg.proc.poll()}\n{bg.stderr}"

    ingest = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
                     floor_wav, timeout=seconds + 30)
    assert ingest.returncode == 0, f"ingest failed ({ingest.returncode}):\n{ingest.stderr}"

    expected_packets = seconds / dt.FRAME_S
    problems = []
    for i, (bg, out, stats_path) in enumerate(listeners):
        rc = dt.stop_when_recorded(bg, out, seconds)
        if rc != 0:
            problems.append(f"listener {i}: exit {rc}\n{bg.stderr}")
            continue
        got, got_rate = dt.read_wav(out)
        info = dt.wav_info(out)
        stats = dt.read_stats(stats_path)
        ncc, lag = dt.aligned_ncc(ref, got, max_lag=rate)  # Opus adds ~6.5 ms of lookahead: align first
        summary = (f"listener {i}: {info['seconds']:.2f} s received of {seconds:.2f} s sent, NCC {ncc:.4f} at lag "
                   f"{lag} samples ({lag / rate * 1000:.1f} ms), stats {json.dumps(stats)}")
        print(summary)
        if (info["channels"], info["sampwidth"], got_rate) != (1, 2, dt.SAMPLE_RATE):
            problems.append(f"{summary}\n  the WAV is not 48 kHz mono 16-bit: {info}")
        if ncc < MIN_NCC:
            problems.append(f"{summary}\n  NCC below {MIN_NCC}")
        if stats["lost"] != 0:
            problems.append(f"{summary}\n  lost packets")
        if abs(stats["packets"] - expected_packets) > 0.02 * expected_packets:
            problems.append(f"{summary}\n  {stats['packets']} packets, expected {expected_packets:.0f} ± 2 %")
        if abs(len(got) - len(ref)) > 0.02 * len(ref):
            problems.append(f"{summary}\n  received {len(got)} samples, sent {len(ref)} (± 2 % expected)")
        delay = stats["delay_ms"]
        for key in ("p50", "p90", "p99", "max"):
            if key not in delay:
                problems.append(f"{summary}\n  delay_ms lacks {key!r}")
        # A loose sanity bound (the real bar, 5 ms median, belongs to the benchmark): loopback, 4 processes.
        if isinstance(delay.get("p50"), (int, float)) and not 0 <= delay["p50"] < 50:
            problems.append(f"{summary}\n  median delay {delay['p50']} ms is not within [0, 50) on loopback")
    assert not problems, "\n".join(problems)
