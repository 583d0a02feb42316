import Testing

@testable import DragomanServer

/// What the connection guard answers to request heads, before the HTTP parser sees them.
struct RequestHeadCheckTests {
    func check(_ text: String) -> RequestHeadCheck.Verdict { RequestHeadCheck.check(Array(text.utf8)) }
    func status(_ text: String) -> Int? {
        if case .refuse(let status, _) = check(text) { status } else { nil }
    }

    @Test func ordinaryRequestsPass() {
        #expect(check("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") == .accept(.none))
        #expect(check("POST /api/events HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n") == .accept(.length(12)))
        #expect(check("POST /api/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .accept(.opaque))
        #expect(
            check("GET /ws/listen/ABC HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\n\r\n") == .accept(.opaque)
        )
    }

    @Test func malformedAndAmbiguousRequestsAreRefusedWithTheirStatus() {
        #expect(status("FOO\r\n\r\n") == 400)
        #expect(status("GET /\u{FF}x HTTP/1.1\r\n\r\n") == 400)
        #expect(status("GET / HTTP/2.0\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n") == 413)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n") == 400)
        #expect(status("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n\r\n") == 414)
        #expect(status("GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 101) + "\r\n") == 431)
        #expect(status("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17000) + "\r\n\r\n") == 431)
    }

    @Test func theEndOfAHeadIsFoundAcrossAnyBytes() {
        #expect(RequestHeadCheck.endOfHead(in: Array("GET / HTTP/1.1\r\n\r\nbody".utf8)) == 18)
        #expect(RequestHeadCheck.endOfHead(in: Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)) == nil)
        #expect(RequestHeadCheck.endOfHead(in: Array("\r\r\n\r\n".utf8)) == 5)
    }
}
