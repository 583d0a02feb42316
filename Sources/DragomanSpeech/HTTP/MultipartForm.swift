/// A `multipart/form-data` body (RFC 7578), as OpenAI's audio endpoints take it.
struct MultipartForm {
    let boundary: String
    private(set) var bytes: [UInt8] = []

    init(boundary: String = "dragoman-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)) {
        self.boundary = boundary
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, _ value: String) {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
        bytes += Array(value.utf8) + Array("\r\n".utf8)
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, _ content: [UInt8]) {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n"
                .utf8
        )
        bytes += content + Array("\r\n".utf8)
    }

    /// The body with its closing delimiter.
    func finished() -> [UInt8] { bytes + Array("--\(boundary)--\r\n".utf8) }
}
