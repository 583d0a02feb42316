import Foundation

/// Where an Icecast source sends its stream, and with which credentials:
/// parsed from a URL such as `http://source:PASSWORD@icecast-host:8000/ru.ogg`.
///
/// The password never appears in `description`, so a mount can be logged as it is.
public struct IcecastMount: Sendable, Equatable, CustomStringConvertible {
    /// Icecast's host name or address.
    public var host: String
    /// Icecast's port (8000 when the URL names none, Icecast's default).
    public var port: Int
    /// The mount point as written in the URL (percent-encoded), starting with `/`, e.g. `/ru.ogg`.
    public var path: String
    /// The source user; Icecast's source user is `source` unless the mount is configured otherwise.
    public var user: String
    /// The source password.
    public var password: String

    /// Icecast's default port.
    public static let defaultPort = 8000

    /// Why a text is not a usable Icecast URL, in words that show the expected form.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Creates a mount from its parts.
    public init(host: String, port: Int = IcecastMount.defaultPort, path: String, user: String = "source", password: String) {
        self.host = host
        self.port = port
        self.path = path
        self.user = user
        self.password = password
    }

    /// Parses `http://USER:PASSWORD@HOST[:PORT]/MOUNT`.
    ///
    /// - Throws: `Invalid` naming what is wrong: the scheme, a missing host, password or mount.
    public init(_ text: String) throws {
        let example = "http://source:PASSWORD@icecast-host:8000/ru.ogg"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Invalid(description: "'\(Self.redacted(text))' is not an Icecast URL; expected e.g. \(example)")
        }
        guard scheme == "http" else {
            let why =
                scheme == "https"
                ? "this source client speaks plain HTTP only: use Icecast's plain port (through a VPN or SSH tunnel across the internet)"
                : "the scheme must be http://"
            throw Invalid(description: "'\(Self.redacted(text))' cannot be used: \(why); expected e.g. \(example)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Invalid(description: "'\(Self.redacted(text))' names no Icecast host; expected e.g. \(example)")
        }
        // `http://secret@host` parses the secret as the user: say so rather than "wrong password" later.
        guard let password = components.password, !password.isEmpty else {
            throw Invalid(
                description:
                    "'\(Self.redacted(text))' has no source password; write it as http://source:PASSWORD@\(host)\(components.port.map { ":\($0)" } ?? "")/\(components.path.drop { $0 == "/" })"
            )
        }
        let path = components.percentEncodedPath
        guard path.count > 1, path.hasPrefix("/") else {
            throw Invalid(description: "'\(Self.redacted(text))' names no mount point; add one after the host, e.g. \(example)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw Invalid(description: "'\(Self.redacted(text))' has port \(port), outside 1–65535")
        }
        let user = components.user ?? ""
        self.init(host: host, port: components.port ?? Self.defaultPort, path: path, user: user.isEmpty ? "source" : user, password: password)
    }

    /// `host:port/mount`, without credentials.
    public var description: String { "\(host):\(port)\(path)" }

    /// The listeners' URL of this mount on the same Icecast.
    public var listenURL: String { "http://\(host):\(port)\(path)" }

    /// The URL with its password replaced, so that error messages can quote it.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "****"
        return components.string ?? text
    }
}
