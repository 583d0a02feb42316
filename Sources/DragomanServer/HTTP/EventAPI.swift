import DragomanCore
import Foundation
import Hummingbird

/// The JSON API of events: create, list, read, change, delete, and each event's QR code.
struct EventAPI: Sendable {
    /// The largest request body the API reads.
    static let maximumBodySize = 16 * 1024

    let events: LiveEvents
    let organizerToken: String
    /// Join links as phones in the room reach the server.
    let links: PublicLinks

    func register(on router: some RouterMethods<VenueRequestContext>) {
        let api = router.group("api/events")
        api.post { request, context in try await create(request, context) }
        api.get { request, _ in try list(request) }
        api.get(":code") { request, context in try read(request, context) }
        api.patch(":code") { request, context in try await change(request, context) }
        api.delete(":code") { request, context in try delete(request, context) }
        api.get(":code/qr.svg") { request, context in try qrCode(request, context) }
        api.post(":code/floor-language") { request, context in try await setFloorLanguage(request, context) }
        api.get(":code/floor-language") { request, context in try floorLanguageChanges(request, context) }
        api.post(":code/interpreters") { request, context in try await createInterpreter(request, context) }
        api.get(":code/interpreters") { request, context in try listInterpreters(request, context) }
        api.delete(":code/interpreters/:id") { request, context in try deleteInterpreter(request, context) }
        api.post(":code/interpreters/:id/key") { request, context in try newInterpreterKey(request, context) }
        api.post(":code/floor-token") { request, context in try newFloorToken(request, context) }
        api.get(":code/recordings") { request, context in try listRecordings(request, context) }
        api.get(":code/recordings/:file") { request, context in try downloadRecording(request, context) }
        api.delete(":code/recordings") { request, context in try deleteRecordings(request, context) }
    }

    private func create(_ request: Request, _ context: VenueRequestContext) async throws -> Response {
        try authorizeOrganizer(request)
        let changes = try await decodeChanges(request, context)
        do {
            let name = try EventRules.name(changes.name)
            let languages = try EventRules.languages(changes.languages)
            let pin = try EventRules.pin(changes.pin)
            let machine = try EventRules.machineBooths(changes.machine, of: languages)
            let glossary = try EventRules.glossary(changes.glossary, of: languages)
            let retention = try EventRules.retentionDays(changes.retentionDays)
            try EventRules.privacy(confidential: changes.confidential ?? false, recording: changes.recording ?? false)
            let packetMs = try EventRules.packetMs(changes.packetMs ?? 20)
            let made = try events.create(
                name: name,
                languages: languages,
                machineBooths: machine,
                glossary: glossary,
                recording: changes.recording ?? false,
                retentionDays: retention,
                confidential: changes.confidential ?? false,
                namesInRecord: changes.namesInRecord ?? false,
                packetMs: packetMs,
                pin: pin,
                now: Date().timeIntervalSince1970
            )
            return try json(EventJSON.organizerView(made.definition, floorToken: made.floorToken, links: links), status: .created)
        } catch let violation as EventRules.Violation {
            throw APIError(.badRequest, violation.message)
        }
    }

    private func list(_ request: Request) throws -> Response {
        try authorizeOrganizer(request)
        struct List: Encodable { var events: [EventJSON.OrganizerView] }
        return try json(List(events: try events.allEvents().map { EventJSON.organizerView($0, links: links) }))
    }

    private func read(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        let event = try liveEvent(context)
        if !isOrganizer(request) {
            let pin = request.headers[.init("X-Dragoman-Pin")!] ?? request.uri.queryParameters.get("pin")
            guard event.admits(pin: pin) else {
                throw APIError(
                    .unauthorized,
                    pin == nil ? "Event \(event.definition.code) needs a PIN." : "Wrong PIN for event \(event.definition.code)."
                )
            }
        }
        return try json(EventJSON.publicView(event, links: links))
    }

    private func change(_ request: Request, _ context: VenueRequestContext) async throws -> Response {
        try authorizeOrganizer(request)
        var event = try liveEvent(context).definition
        let changes = try await decodeChanges(request, context)
        do {
            if changes.name != nil { event.name = try EventRules.name(changes.name) }
            if changes.languages != nil { event.languages = try EventRules.languages(changes.languages) }
            if changes.pinGiven {
                var rng = SystemRandomNumberGenerator()
                event.pin = try EventRules.pin(changes.pin).map { PINDigest(of: $0, using: &rng) }
            }
            if let machine = changes.machine {
                event.machineBooths = try EventRules.machineBooths(machine, of: event.languages)
            } else {
                event.machineBooths.removeAll { !event.languages.contains($0) }  // a removed language takes its machine along
            }
            if let recording = changes.recording { event.recording = recording }
            if let confidential = changes.confidential { event.confidential = confidential }
            if let namesInRecord = changes.namesInRecord { event.namesInRecord = namesInRecord }
            if let packetMs = changes.packetMs { event.packetMs = try EventRules.packetMs(packetMs) }
            try EventRules.privacy(confidential: event.confidential, recording: event.recording)
            if changes.retentionGiven { event.retentionDays = try EventRules.retentionDays(changes.retentionDays) }
            if let glossary = changes.glossary {
                event.glossary = try EventRules.glossary(glossary, of: event.languages)
            } else {
                // A removed language takes its renderings along; a term left with none goes.
                event.glossary = event.glossary.compactMap { term in
                    let kept = term.renderings.filter { event.languages.contains($0.key) }
                    return kept.isEmpty ? nil : GlossaryTerm(kept)
                }
            }
        } catch {
            throw APIError(.badRequest, error.message)
        }
        try events.update(event)
        return try json(EventJSON.organizerView(event, links: links))
    }

    /// A new floor token, shown in this answer only; the old one stops opening the floor.
    private func newFloorToken(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let event = try liveEvent(context)
        let floorToken = try events.newFloorToken(of: event)
        return try json(EventJSON.organizerView(event.definition, floorToken: floorToken, links: links))
    }

    private func delete(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        try authorizeOrganizer(request)
        let code = try joinCode(context)
        guard try events.delete(code) else { throw APIError(.unknownEvent(code.value)) }
        return Response(status: .noContent)
    }

    private func qrCode(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        let event = try liveEvent(context).definition
        var link = links.join(event.code)
        if let channelText = request.uri.queryParameters.get("channel") {
            guard let channel = ChannelID(channelText), event.has(channel) else {
                throw APIError(.unknownChannel(channelText, in: event))
            }
            link += "?channel=\(channel)"
        }
        let svg = try QRCode(text: link).svg()
        var headers = HTTPFields()
        headers[.contentType] = "image/svg+xml"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    private func setFloorLanguage(_ request: Request, _ context: VenueRequestContext) async throws -> Response {
        let event = try liveEvent(context)
        try authorizeOperator(request, event: event)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch {
            throw APIError(.tooLarge, "The request body is larger than \(Self.maximumBodySize) bytes.")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any], object.keys.contains("language")
        else {
            throw APIError(.badRequest, "Expected {\"language\": \"kk\"} (a language of the event), or {\"language\": null} when it is not known.")
        }
        var language: LanguageTag?
        if let text = object["language"] as? String {
            guard let tag = LanguageTag(text), event.definition.languages.contains(tag) else {
                throw APIError(
                    .badRequest,
                    "'\(text)' is not a language of event \(event.definition.code): \(event.definition.languages.map(\.value).joined(separator: ", "))."
                )
            }
            language = tag
        } else if !(object["language"] is NSNull) {
            throw APIError(.badRequest, "The field 'language' must be a language tag or null.")
        }
        try events.setFloorLanguage(language, of: event, at: UInt64(Date().timeIntervalSince1970 * 1_000_000))
        return try json(EventJSON.publicView(event, links: links))
    }

    private func floorLanguageChanges(_ request: Request, _ context: VenueRequestContext) throws -> Response {
        let event = try liveEvent(context)
        try authorizeOperator(request, event: event)
        struct Change: Encodable {
            var language: String?
            var at: UInt64
        }
        struct Changes: Encodable { var changes: [Change] }
        let changes = try events.floorLanguageChanges(of: event.definition.code).map { Change(language: $0.language?.value, at: $0.at) }
        return try json(Changes(changes: changes))
    }

    // MARK: helpers

    /// The floor language may be set by the organizer or by whoever runs the floor (its token).
    private func authorizeOperator(_ request: Request, event: LiveEvent) throws {
        if isOrganizer(request) { return }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "This needs the organizer token or the event's floor token: send 'Authorization: Bearer <token>'.")
        }
        guard event.definition.floorToken.matches(String(header.dropFirst("Bearer ".count))) else {
            throw APIError(.unauthorized, "Wrong token: the organizer token or the event's floor token is needed.")
        }
    }

    func isOrganizer(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return constantTimeEquals(String(header.dropFirst("Bearer ".count)), organizerToken)
    }

    func authorizeOrganizer(_ request: Request) throws {
        guard request.headers[.authorization] != nil else {
            throw APIError(.unauthorized, "This needs the organizer token: send 'Authorization: Bearer <token>' (dragoman serve prints the token).")
        }
        guard isOrganizer(request) else { throw APIError(.unauthorized, "Wrong organizer token.") }
    }

    func joinCode(_ context: VenueRequestContext) throws -> JoinCode {
        let text = context.parameters.get("code") ?? ""
        guard let code = JoinCode(text) else { throw APIError(.unknownEvent(text.uppercased())) }
        return code
    }

    func liveEvent(_ context: VenueRequestContext) throws -> LiveEvent {
        let code = try joinCode(context)
        guard let event = try events.event(code) else { throw APIError(.unknownEvent(code.value)) }
        return event
    }

    private func decodeChanges(_ request: Request, _ context: VenueRequestContext) async throws -> EventJSON.Changes {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch {
            throw APIError(.tooLarge, "The request body is larger than \(Self.maximumBodySize) bytes.")
        }
        do {
            return try JSONDecoder().decode(EventJSON.Changes.self, from: Data(body.readableBytesView))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, "The field '\(field)' has the wrong type: \(context.debugDescription)")
        } catch {
            throw APIError(
                .badRequest,
                "The body is not a JSON object: expected e.g. {\"name\": \"Summit\", \"languages\": [\"ru\", \"kk\", \"en\"]}."
            )
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
