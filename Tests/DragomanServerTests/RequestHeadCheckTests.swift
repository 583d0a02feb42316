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
            check("GET /ws/listen/ABC HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\n\r\n") == .accept(.webSocket)
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

/// The server's side of RFC 6455 masking: every client frame is masked.
struct ClientFrameCheckTests {
    func frame(_ payload: [UInt8], masked: Bool = true, opcode: UInt8 = 0x1) -> [UInt8] {
        var bytes: [UInt8] = [0x80 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126: bytes.append(maskBit | UInt8(payload.count))
        case ..<65536: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [maskBit | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        if masked { bytes += [1, 2, 3, 4] }
        return bytes + payload
    }

    @Test func maskedFramesOfEverySizePassInAnyPieces() {
        let stream =
            frame(Array(repeating: 7, count: 5)) + frame(Array(repeating: 7, count: 300), opcode: 0x2)
            + frame(Array(repeating: 7, count: 70_000), opcode: 0x2) + frame([])
        for pieceSize in [1, 3, 13, 4096, stream.count] {
            var check = ClientFrameCheck()
            var offset = 0
            var allPassed = true
            while offset < stream.count {
                allPassed = allPassed && check.read(stream[offset..<min(offset + pieceSize, stream.count)])
                offset += pieceSize
            }
            #expect(allPassed, "pieces of \(pieceSize)")
        }
    }

    @Test func anUnmaskedFrameIsFoundAfterMaskedOnes() {
        var check = ClientFrameCheck()
        let masked = check.read(frame(Array(repeating: 1, count: 200)))
        let unmasked = check.read(frame([1, 2, 3], masked: false))
        #expect(masked && !unmasked)
    }
}
