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

    func deleteRecordings(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let code = try joinCode(context)
        _ = try events.deleteRecordings(of: code)
        return Response(status: .noContent)
    }
}
