public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The organizer's side of the JSON API, for the command line.
public struct EventAdmin: Sendable {
    public var server: ServerAddress
    public var token: String

    public init(server: ServerAddress, token: String) {
        self.server = server
        self.token = token
    }

    /// Creates an event and returns the server's JSON answer as it came.
    /// `machine`: the languages whose channels get a machine booth.
    public func create(name: String, languages: [String], machine: [String] = [], pin: String?, packetMs: Int? = nil) async throws -> Data {
        var body: [String: Any] = ["name": name, "languages": languages]
        if !machine.isEmpty { body["machine"] = machine }
        if let packetMs { body["packetMs"] = packetMs }
        if let pin { body["pin"] = pin }
        var request = URLRequest(url: server.httpURL("api/events"))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 201 else {
            throw ClientError("the server refused to create the event (HTTP \(status)): \(Self.errorMessage(data))")
        }
        return data
    }

    /// Sets the floor language of an event (`token`: the organizer's or the event's floor token); nil: not known.
    public func setFloorLanguage(_ language: String?, event: String) async throws {
        var request = URLRequest(url: server.httpURL("api/events/\(event)/floor-language"))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["language": language.map { $0 as Any } ?? NSNull()])
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw ClientError("the server refused the floor language \(language ?? "null") (HTTP \(status)): \(Self.errorMessage(data))")
        }
    }

    static func errorMessage(_ data: Data) -> String {
        struct Body: Decodable {
            struct Detail: Decodable { var message: String }
            var error: Detail
        }
        return (try? JSONDecoder().decode(Body.self, from: data))?.error.message ?? String(decoding: data, as: UTF8.self)
    }
}
