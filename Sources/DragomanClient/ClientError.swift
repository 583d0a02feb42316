import DragomanCore

/// Why a client stopped: what the server said, or what went wrong locally, in words a technician can act on.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The protocol error code, when the server refused.
    public var code: String?

    public init(_ description: String, code: String? = nil) {
        self.description = description
        self.code = code
    }

    /// The server's `error` message.
    init(server message: ControlMessages.ErrorMessage) {
        self.init("the server refused: \(message.message) (\(message.code))", code: message.code)
    }
}
