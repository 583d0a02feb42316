"""A small listener server that speaks the protocol (docs/protocol.md) but makes nothing itself: the browser tests use
it where the real server cannot yet do what the page must show (captions, machine interpretation).

It serves the real page files from Sources/DragomanServer/Web at the real server's URLs (WebAppRoutes.swift: `/`,
`/j/{code}`, `/app/**`), the event's public state (`GET /api/events/{code}`, which api.js's fetchEvent reads), a
fallback stream (`GET /stream/{code}/{channel}.ogg`: silence, as a WAV the <audio> element plays), the listen
WebSocket `/ws/listen/{code}` (welcome, tune → tuned, carrying; text messages the test pushes with `send`), and for
the organizer dashboard (`/dashboard/{code}`, token `organizer-secret`) `GET /api/events`, the interpreters list and
`/ws/dashboard/{code}`, which sends `dashboard` every 500 ms with the state the test sets in `.dashboard` (and
what the test pushes with `send_dashboards`; what the page sends lands in `.received`, as the listeners' does). The
WebSocket handshake and framing (RFC 6455) are written out here: no package needed. Loopback only."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

WEB = Path(__file__).resolve().parents[2] / "Sources" / "DragomanServer" / "Web"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
                 "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
                 "json": "application/json"}
# The 19-byte Ogg Opus identification header (RFC 7845 §5.1): mono, pre-skip 312, 48 kHz.
OPUS_HEAD = base64.b64encode(b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)).decode()
CODEC = {"name": "opus", "sampleRate": 48000, "channels": 1, "frameDurationMs": 20, "opusHead": OPUS_HEAD}


def silent_wav(seconds: int = 60, rate: int = 8000) -> bytes:
    data = bytes(seconds * rate * 2)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


class ListenSocket:
    """One listener's WebSocket: the channel it is on, and a lock so the test and the reader may both write."""

    def __init__(self, conn: socket.socket, rfile, channel: str, query: dict):
        self.conn = conn
        self.rfile = rfile  # the handler's buffered reader: it may hold bytes already read past the handshake
        self.channel = channel
        self.query = query
        self.lock = threading.Lock()
        self.open = True

    def send_text(self, message: dict) -> None:
        payload = json.dumps(message, ensure_ascii=False).encode()
        n = len(payload)
        header = bytes([0x81]) + (bytes([n]) if n < 126 else bytes([126]) + struct.pack(">H", n) if n < 65536
                                  else bytes([127]) + struct.pack(">Q", n))
        with self.lock:
            if self.open:
                try:
                    self.conn.sendall(header + payload)
                except OSError:
                    self.open = False

    def send_close(self, code: int = 1000) -> None:
        with self.lock:
            if self.open:
                try:
                    self.conn.sendall(bytes([0x88, 2]) + struct.pack(">H", code))
                except OSError:
                    pass
                self.open = False

    def read_frame(self):
        """(opcode, payload) of the client's next frame (always masked), or None when the connection ended."""
        def exactly(n):
            buf = b""
            while len(buf) < n:
                chunk = self.rfile.read1(n - len(buf))
                if not chunk:
                    return None
                buf += chunk
            return buf
        head = exactly(2)
        if head is None:
            return None
        opcode, n = head[0] & 0x0F, head[1] & 0x7F
        if n == 126:
            n = struct.unpack(">H", exactly(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", exactly(8))[0]
        mask = exactly(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = exactly(n) if n else b""
        if mask is None or data is None:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class FakeListenerServer:
    """The fake server of one event: `code`, `name`, `languages`; `carrying`: channel id → the `source` object of its
    `carrying` message (default: the floor). `send(message)` pushes a text message to every listen socket on
    message["channel"] (all of them when it has none)."""

    def __init__(self, code: str = "K7QM2X", name: str = "State visit, Astana", languages=("ru", "kk", "en"),
                 carrying: dict | None = None):
        self.code = code
        self.name = name
        self.languages = list(languages)
        self.carrying = carrying or {}
        self.sockets: list[ListenSocket] = []
        self.dashboards: list[ListenSocket] = []
        self.token = "organizer-secret"
        self.dashboard: dict = {"event": {"code": code, "name": name, "languages": self.languages},
                                "floor": {"live": True, "language": "kk", "level": -20.0},
                                "channels": [], "booths": [], "signals": []}
        self.received: list[dict] = []
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.wav = silent_wav()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        for s in self.open_sockets():
            s.send_close()
        self.httpd.shutdown()
        self.httpd.server_close()

    # What the test uses.

    def open_sockets(self, channel: str | None = None) -> list[ListenSocket]:
        with self.lock:
            return [s for s in self.sockets if s.open and (channel is None or s.channel == channel)]

    def send(self, message: dict) -> int:
        """Sends to the sockets on the message's channel; returns how many got it."""
        targets = self.open_sockets(message.get("channel"))
        for s in targets:
            s.send_text(message)
        return len(targets)

    def caption(self, channel: str, id: str, text: str, *, final: bool, language: str | None = None,
                source: str = "machine") -> int:
        now = int(time.time() * 1e6)
        return self.send({"type": "caption", "channel": channel, "id": id, "text": text,
                          "language": language or channel, "final": final, "start": now - 2_000_000, "end": now,
                          "source": source})

    def send_dashboards(self, message: dict) -> int:
        """Pushes a text message (e.g. the floor's `caption`) to every open dashboard socket; returns how many."""
        with self.lock:
            targets = [s for s in self.dashboards if s.open]
        for s in targets:
            s.send_text(message)
        return len(targets)

    def floor_caption(self, id: str, text: str, *, final: bool, language: str = "kk") -> int:
        """A line of the floor's transcript, as the server sends it to dashboards."""
        now = int(time.time() * 1e6)
        return self.send_dashboards({"type": "caption", "channel": "floor", "id": id, "text": text,
                                     "language": language, "final": final, "start": now - 2_000_000, "end": now,
                                     "source": "floor"})

    def set_carrying(self, channel: str, source: dict) -> None:
        self.carrying[channel] = source
        self.send(self.carrying_message(channel))

    # The protocol.

    def channels(self) -> list[str]:
        return ["floor", *self.languages]

    def carrying_message(self, channel: str) -> dict:
        source = self.carrying.get(channel, {"kind": "floor", "language": None})
        interpretation = None if channel == "floor" else source.get("kind") != "floor"
        message = {"type": "carrying", "channel": channel, "source": source, "floorLive": True, "floorLanguage": "kk"}
        if interpretation is not None:
            message["interpretation"] = interpretation
        return message

    def event_state(self) -> dict:
        channels = []
        for ch in self.channels():
            c = self.carrying_message(ch)
            carrying = dict(c["source"])
            if "interpretation" in c:
                carrying["interpretation"] = c["interpretation"]
            channels.append({"id": ch, "language": None if ch == "floor" else ch, "listeners": 0,
                             "carrying": carrying})
        return {"code": self.code, "name": self.name, "languages": self.languages, "pinRequired": False,
                "floorLive": True, "floorLanguage": "kk", "channels": channels}

    @staticmethod
    def upgrade(handler: BaseHTTPRequestHandler, channel: str, query: dict) -> ListenSocket | None:
        """The WebSocket handshake (RFC 6455 §4.2): the socket, or None after a 400."""
        key = handler.headers.get("Sec-WebSocket-Key")
        if handler.headers.get("Upgrade", "").lower() != "websocket" or not key:
            handler.send_error(HTTPStatus.BAD_REQUEST, "WebSocket only")
            return None
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        handler.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        handler.wfile.flush()
        handler.close_connection = True
        return ListenSocket(handler.connection, handler.rfile, channel, query)

    def serve_dashboard(self, handler: BaseHTTPRequestHandler, code: str, query: dict) -> None:
        """/ws/dashboard/{code}?token=: `dashboard` (self.dashboard, as the test last set it) at once and every
        500 ms, as the server does."""
        ws = self.upgrade(handler, "dashboard", query)
        if ws is None:
            return
        if code != self.code or (query.get("token") or [""])[0] != self.token:
            ws.send_text({"type": "error", "code": "unauthorized", "message": "wrong token"})
            ws.send_close(4401)
            return

        def tick():
            while ws.open:
                ws.send_text({"type": "dashboard", "serverTime": int(time.time() * 1e6), **self.dashboard})
                time.sleep(0.5)

        threading.Thread(target=tick, daemon=True).start()
        with self.lock:
            self.dashboards.append(ws)
        try:
            while ws.open:
                frame = ws.read_frame()
                if frame is None or frame[0] == 0x8:
                    break
                if frame[0] == 0x1:
                    self.received.append(json.loads(frame[1].decode()))
        except OSError:
            pass
        finally:
            ws.open = False

    def serve_socket(self, handler: BaseHTTPRequestHandler, code: str, query: dict) -> None:
        channel = (query.get("channel") or ["floor"])[0]
        ws = self.upgrade(handler, channel, query)
        if ws is None:
            return
        conn = ws.conn
        if code != self.code or channel not in self.channels():
            error = "unknown-event" if code != self.code else "unknown-channel"
            ws.send_text({"type": "error", "code": error, "message": f"no {error}"})
            ws.send_close(4404)
            return
        ws.send_text({"type": "welcome", "protocol": 1,
                      "event": {"code": self.code, "name": self.name, "languages": self.languages},
                      "channel": channel, "codec": CODEC, "serverTime": int(time.time() * 1e6)})
        ws.send_text(self.carrying_message(channel))
        with self.lock:
            self.sockets.append(ws)
        try:
            while ws.open:
                frame = ws.read_frame()
                if frame is None:
                    break
                opcode, payload = frame
                if opcode == 0x8:
                    ws.send_close()
                    break
                if opcode == 0x9:
                    with ws.lock:
                        conn.sendall(bytes([0x8A, len(payload)]) + payload)
                    continue
                if opcode != 0x1:
                    continue
                message = json.loads(payload.decode())
                self.received.append(message)
                if message.get("type") == "tune":
                    wanted = str(message.get("channel"))
                    if wanted not in self.channels():
                        ws.send_text({"type": "error", "code": "unknown-channel", "message": "no such channel",
                                      "fatal": False})
                        continue
                    ws.channel = wanted
                    ws.send_text({"type": "tuned", "channel": wanted, "codec": CODEC})
                    ws.send_text(self.carrying_message(wanted))
        except OSError:
            pass
        finally:
            ws.open = False

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send_body(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(body)

            def send_json(self, status: int, value: dict) -> None:
                self.send_body(status, json.dumps(value).encode(), "application/json")

            def send_file(self, relative: str) -> None:
                path = (WEB / relative).resolve()
                if WEB.resolve() not in path.parents or not path.is_file():
                    self.send_json(404, {"error": {"code": "not-found", "message": f"No file /app/{relative}."}})
                    return
                ext = path.suffix.lstrip(".").lower()
                self.send_body(200, path.read_bytes(), CONTENT_TYPES.get(ext, "application/octet-stream"))

            def do_GET(self):
                parts = urlsplit(self.path)
                path, query = parts.path, parse_qs(parts.query)
                server.requests.append(path)
                segments = [s for s in path.split("/") if s]
                if path == "/" or (len(segments) == 2 and segments[0] == "j"):
                    self.send_file("listener/listener.html")
                elif segments[:1] == ["app"] and len(segments) > 1:
                    self.send_file("/".join(segments[1:]))
                elif len(segments) == 2 and segments[0] == "dashboard":
                    self.send_file("dashboard/dashboard.html")
                elif segments == ["api", "events"] or segments[:2] == ["api", "events"] and len(segments) == 4:
                    if self.headers.get("Authorization") != f"Bearer {server.token}":
                        self.send_json(401, {"error": {"code": "unauthorized", "message": "organizer token needed"}})
                    elif len(segments) == 2:
                        self.send_json(200, {"events": [{"code": server.code, "name": server.name,
                                                         "languages": server.languages, "pinRequired": False}]})
                    elif segments[3] == "interpreters":
                        self.send_json(200, {"interpreters": []})
                    elif segments[3] == "floor-language":
                        self.send_json(200, {"changes": []})
                    else:
                        self.send_json(404, {"error": {"code": "not-found", "message": f"No route {path}."}})
                elif segments[:2] == ["api", "events"] and len(segments) == 3:
                    if segments[2] == server.code:
                        self.send_json(200, server.event_state())
                    else:
                        self.send_json(404, {"error": {"code": "unknown-event", "message": "No such event."}})
                elif segments[:1] == ["stream"] and len(segments) == 3 and segments[1] == server.code:
                    self.send_body(200, server.wav, "audio/wav")
                elif segments[:2] == ["ws", "listen"] and len(segments) == 3:
                    server.serve_socket(self, segments[2], query)
                elif segments[:2] == ["ws", "dashboard"] and len(segments) == 3:
                    server.serve_dashboard(self, segments[2], query)
                elif path == "/healthz":
                    self.send_json(200, {"status": "ok"})
                else:
                    self.send_json(404, {"error": {"code": "not-found", "message": f"No route {path}."}})

        return Handler
