import DragomanCore
import Foundation
import Hummingbird

/// The interpreters of an event: each has a name, a booth and a key that opens that booth's console.
/// The server keeps only a hash of each key, so a key and its console link are in the answer that made
/// them and nowhere else; `POST …/interpreters/{id}/key` makes a new one.
extension EventAPI {
    /// An interpreter as the organizer sees them; with the key and the link to give them when just made.
    struct InterpreterView: Encodable {
        var id: String
        var name: String
        var booth: String
        var key: String?
        var consoleURL: String?
        var secureConsoleURL: String?

        init(_ interpreter: Interpreter, key: String? = nil, code: JoinCode, links: PublicLinks) {
            id = interpreter.id.value
            name = interpreter.name
            booth = interpreter.booth.value
            self.key = key
            consoleURL = key.map { "\(links.base)/booth/\(code.value)?key=\($0)" }
            secureConsoleURL = key.flatMap { key in links.secureBase.map { "\($0)/booth/\(code.value)?key=\(key)" } }
        }
    }

    func createInterpreter(_ request: Request, _ context: VenueRequestContext) async throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        struct Body: Decodable {
            var name: String?
            var booth: String?
        }
        let data: ByteBuffer
        do {
            data = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch {
            throw APIError(.tooLarge, "The request body is larger than \(Self.maximumBodySize) bytes.")
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(data.readableBytesView)) else {
            throw APIError(.badRequest, "Expected {\"name\": \"Aigerim\", \"booth\": \"ru\"}.")
        }
        let name: String
        do {
            name = try Interpreter.validName(body.name)
        } catch {
            throw APIError(.badRequest, error.message)
        }
        guard let boothText = body.booth else {
            throw APIError(
                .badRequest,
                "The field 'booth' is missing: give the language of the booth, one of \(event.definition.languages.map(\.value).joined(separator: ", "))."
            )
        }
        guard let booth = LanguageTag(boothText), event.definition.languages.contains(booth) else {
            throw APIError(ProtocolError.unknownChannel(boothText, in: event.definition))
        }
        let made = try events.createInterpreter(name: name, booth: booth, in: event, now: Date().timeIntervalSince1970)
        return try json(InterpreterView(made.interpreter, key: made.key, code: event.definition.code, links: links), status: .created)
    }

    func listInterpreters(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        struct List: Encodable { var interpreters: [InterpreterView] }
        return try json(List(interpreters: event.interpreters.map { InterpreterView($0, code: event.definition.code, links: links) }))
    }

    /// A new key for an interpreter, shown in this answer only; the old key stops working and a console open
    /// with it is closed.
    func newInterpreterKey(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        let id = InterpreterID(context.parameters.get("id") ?? "")
        guard let made = try events.newKey(for: id, of: event) else {
            throw APIError(.notFound, "Event \(event.definition.code) has no interpreter '\(id)'.")
        }
        return try json(InterpreterView(made.interpreter, key: made.key, code: event.definition.code, links: links))
    }

    func deleteInterpreter(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        let id = InterpreterID(context.parameters.get("id") ?? "")
        guard try events.deleteInterpreter(id, of: event) else {
            throw APIError(.notFound, "Event \(event.definition.code) has no interpreter '\(id)'.")
        }
        return Response(status: .noContent)
    }
}
