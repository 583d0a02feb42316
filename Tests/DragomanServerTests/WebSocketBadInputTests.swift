import DragomanAudio
import DragomanClient
import DragomanCore
import DragomanServerTesting
import Foundation
import NIOCore
import Testing

/// Every way a WebSocket client can be wrong gets a clear error and a 4xxx close, and nobody else is affected.
@Suite(.serialized)
struct WebSocketBadInputTests {
    @Test func unknownEventIsRefusedWithItsCode() async throws {
        try await LiveServer.with { server in
            let result = try await server.exchange("/ws/listen/ZZZZZZ")
            #expect(result.errorCode == "unknown-event")
            #expect(result.closeCode == 4404)
        }
    }

    @Test func unknownChannelIsRefusedNamingTheChannels() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let result = try await server.exchange("/ws/listen/\(event.code)?channel=de")
            #expect(result.errorCode == "unknown-channel")
            #expect(result.texts.first?.contains("floor, ru, kk, en") == true)
            #expect(result.closeCode == 4404)
        }
    }

    @Test func missingOrWrongPinIsRefused() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent(pin: "2468")
            let missing = try await server.exchange("/ws/listen/\(event.code)")
            #expect(missing.errorCode == "unauthorized")
            #expect(missing.closeCode == 4401)
            let wrong = try await server.exchange("/ws/listen/\(event.code)?pin=1111")
            #expect(wrong.errorCode == "unauthorized")
            let right = try await server.exchange("/ws/listen/\(event.code)?pin=2468") { $0.types.count >= 2 }
            #expect(right.types.prefix(2) == ["welcome", "carrying"])
        }
    }

    @Test func wrongOrMissingFloorTokenIsRefused() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let wrong = try await server.exchange("/ws/floor/\(event.code)?token=nope")
            #expect(wrong.errorCode == "unauthorized")
            #expect(wrong.closeCode == 4401)
            let missing = try await server.exchange("/ws/floor/\(event.code)")
            #expect(missing.errorCode == "unauthorized")
        }
    }

    /// A message that is not JSON, or has an unknown type, gets a non-fatal error; the listener stays.
    @Test func malformedControlMessagesAreNotFatal() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let result = try await server.exchange(
                "/ws/listen/\(event.code)",
                send: [
                    .text("{not json"), .text(#"{"type":"dance"}"#), .text(#"{"type":"tune"}"#), .text(#"{"type":"tune","channel":"de"}"#),
                    .text(#"{"type":"tune","channel":"en"}"#),
                ]
            ) { $0.types.count >= 8 }
            #expect(result.types == ["welcome", "carrying", "error", "error", "error", "error", "tuned", "carrying"])
            #expect(result.closeCode == 1000)
        }
    }

    @Test func oversizedListenerMessageClosesOnlyThatConnection() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let huge = String(repeating: "x", count: 10_000)
            let result = try await server.exchange("/ws/listen/\(event.code)", send: [.text(huge)])
            #expect(result.errorCode == "too-large")
            #expect(result.closeCode == 4413)
            // The server still serves others.
            let other = try await server.exchange("/ws/listen/\(event.code)") { !$0.types.isEmpty }
            #expect(other.types.first == "welcome")
        }
    }

    @Test func oversizedFrameIsClosedWith1009() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            var buffer = ByteBuffer()
            buffer.writeRepeatingByte(0, count: 70_000)
            let result = try await server.exchange("/ws/floor/\(event.code)?token=\(event.floorToken)", send: [.binary(buffer)])
            #expect(result.closeCode == 1009)
        }
    }

    @Test func listenerSendingAudioIsForbidden() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let result = try await server.exchange("/ws/listen/\(event.code)", send: [.binary(ByteBuffer(bytes: [1, 2, 3, 4]))])
            #expect(result.errorCode == "forbidden")
            #expect(result.closeCode == 4403)
        }
    }

    /// PCM that is not a whole number of sample frames is refused with the reason.
    @Test func truncatedSampleFrameIsRefused() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            let result = try await server.exchange(
                "/ws/floor/\(event.code)?token=\(event.floorToken)&format=s16le&channels=2",
                send: [.binary(ByteBuffer(bytes: [1, 2, 3]))]
            )
            #expect(result.types == ["publishing", "error"])
            #expect(result.errorCode == "bad-message")
            #expect(result.closeCode == 4400)
        }
    }

    @Test func badFloorFormatIsRefused() async throws {
        try await LiveServer.with { server in
            let event = try server.createEvent()
            for query in ["rate=1000", "channels=7", "format=mp3"] {
                let result = try await server.exchange("/ws/floor/\(event.code)?token=\(event.floorToken)&\(query)")
                #expect(result.errorCode == "bad-request", "\(query)")
                #expect(result.closeCode == 4400)
            }
        }
    }
}
