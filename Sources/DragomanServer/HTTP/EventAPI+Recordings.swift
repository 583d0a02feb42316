import DragomanCore
import Foundation
import Hummingbird
import NIOCore

/// An event's recordings: the list, each file to download (Ogg/Opus, playable anywhere), and deleting them all.
extension EventAPI {
    func listRecordings(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        struct List: Encodable {
            var recording: Bool
            var recordings: [RecordingFolder.Recording]
        }
        return try json(List(recording: event.definition.recording, recordings: events.recordings(of: event.definition.code)))
    }

    func downloadRecording(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let code = try joinCode(context)
        let name = context.parameters.get("file") ?? ""
        if let request = RecordingFolder.transcriptRequest(name) { return try transcript(request.audio, format: request.format, code: code) }
        guard let url = events.recordingFile(named: name, of: code) else {
            throw APIError(.notFound, "Event \(code) has no recording named '\(name)': GET /api/events/\(code)/recordings lists them.")
        }
        // Read whole: a recording in progress grows, and the answer is what was on disk now (a few MB per hour).
        let data = try Data(contentsOf: url)
        var headers = HTTPFields()
        headers[.contentType] = "audio/ogg; codecs=opus"
        headers[.contentDisposition] = "attachment; filename=\"\(code)-\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A recording's transcript (final captions) as WebVTT, SubRip, text, or JSON with the audit trail.
    private func transcript(_ audio: String, format: String, code: JoinCode) throws -> Response {
        guard let found = events.recordingTranscript(of: audio, code: code) else {
            throw APIError(.notFound, "Event \(code) has no recording named '\(audio)': GET /api/events/\(code)/recordings lists them.")
        }
        let body: Data
        let type: String
        switch format {
        case "vtt": (body, type) = (Data(found.export.webVTT.utf8), "text/vtt; charset=utf-8")
        case "srt": (body, type) = (Data(found.export.subRip.utf8), "application/x-subrip; charset=utf-8")
        case "txt": (body, type) = (Data(found.export.plainText.utf8), "text/plain; charset=utf-8")
        default:
            let lines = found.export.lines.map { line -> [String: Any] in
                var object: [String: Any] = ["start": line.start, "end": line.end, "text": line.text, "source": line.source]
                object["language"] = line.language
                return object
            }
            let document: [String: Any] = [
                "channel": found.export.channel, "recordingStart": found.start, "lines": lines, "events": found.events,
            ]
            (body, type) = (
                try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]), "application/json"
            )
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func deleteRecordings(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let code = try joinCode(context)
        _ = try events.deleteRecordings(of: code)
        return Response(status: .noContent)
    }
}
