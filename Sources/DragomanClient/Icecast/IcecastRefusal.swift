import Foundation

/// Icecast answered the source request with an error status: what it said and what the technician should check.
public struct IcecastRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    /// The HTTP status code, e.g. 401.
    public var status: Int
    /// The status line's reason phrase as Icecast sent it.
    public var reason: String
    /// The start of the response body: Icecast puts the actual reason there ("Mountpoint in use").
    public var body: String
    /// The mount the request was for.
    public var mount: IcecastMount

    /// Creates a refusal.
    public init(status: Int, reason: String, body: String, mount: IcecastMount) {
        self.status = status
        self.reason = reason
        self.body = body
        self.mount = mount
    }

    /// E.g. `401 Unauthorized — check the source password`.
    public var description: String {
        var text = "\(status) \(Self.standardReason[status] ?? reason)"
        // Icecast's body names the actual reason of a 403 ("Mountpoint in use"); for the others it repeats the status.
        let said = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if !said.isEmpty, said.count <= 120, status == 403 || hint == nil { text += " (\(said))" }
        if let hint { text += " — \(hint)" }
        return text
    }

    /// What to check, for the refusals a technician meets.
    public var hint: String? {
        let said = body.lowercased()
        switch status {
        case 401:
            return "check the source password (and user '\(mount.user)') against <source-password> or the mount's <password> in icecast.xml"
        case 403 where said.contains("in use"):
            return "another source is feeding \(mount.path), or Icecast has not yet noticed that the previous connection is gone"
        case 403 where said.contains("too many sources"), 403 where said.contains("limit"):
            return "Icecast's <sources> limit is reached; raise it in icecast.xml"
        case 403 where said.contains("content"):
            return "this Icecast does not accept audio/ogg on \(mount.path); check the mount's configuration"
        case 403:
            return "Icecast does not allow a source on \(mount.path); check the mount's configuration"
        case 400, 405, 501:
            return "Icecast older than 2.4 does not accept PUT; upgrade it"
        default:
            return nil
        }
    }

    /// The standard phrase, because Icecast's own ("Authentication Required") hides which status it is.
    private static let standardReason: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
    ]
}
