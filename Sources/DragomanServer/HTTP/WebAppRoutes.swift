import DragomanCore
import Foundation
import Hummingbird

/// Serves the web apps (listener, floor microphone) from the files bundled with the binary.
///
/// Every file is read, fingerprinted (its ETag) and gzipped (text files) once at start: a hall full of phones asks
/// for the same few files at the same moment. A browser that accepts gzip gets the compressed bytes; every answer
/// has `Cache-Control: no-cache` and an ETag, so a reload asks with `If-None-Match` and gets `304 Not Modified`
/// without a body, while a new version of the server is picked up at once.
struct WebAppRoutes: Sendable {
    struct File: Sendable {
        let contentType: String
        let bytes: ByteBuffer
        /// The gzip member of `bytes`, when the file is text and compressing it saves something.
        let gzipped: ByteBuffer?
        /// The ETag of the identity bytes; the gzipped ones have the same with `-gz` before the closing quote.
        let etag: String
    }

    let files: [String: File]

    /// Loads every file of the bundled `Web` folder into memory once.
    init() throws {
        guard let root = Bundle.module.url(forResource: "Web", withExtension: nil) else {
            throw APIError(.internalError, "The web apps are missing from the installation (no Web resource folder).")
        }
        let gzip = Gzip.load()
        var files: [String: File] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            let bytes = [UInt8](try Data(contentsOf: url))
            let contentType = Self.contentType(of: url.pathExtension)
            var gzipped: ByteBuffer?
            if Self.isCompressible(contentType), let packed = gzip?.compress(bytes), packed.count < bytes.count {
                gzipped = ByteBuffer(bytes: packed)
            }
            files[relative] = File(
                contentType: contentType,
                bytes: ByteBuffer(bytes: bytes),
                gzipped: gzipped,
                etag: "\"\(Self.fingerprint(bytes))\""
            )
        }
        self.files = files
    }

    func register(on router: some RouterMethods<VenueRequestContext>) {
        router.get("/") { request, _ in try page("listener/listener.html", for: request) }
        router.get("j/:code") { request, _ in try page("listener/listener.html", for: request) }
        router.get("floor/:code") { request, _ in try page("floor/floor.html", for: request) }
        router.get("booth/:code") { request, _ in try page("booth/booth.html", for: request) }
        router.get("dashboard/:code") { request, _ in try page("dashboard/dashboard.html", for: request) }
        router.get("admin") { request, _ in try page("organizer/organizer.html", for: request) }
        router.get("record/:code") { request, _ in try page("record/record.html", for: request) }
        router.get("speaker/:code") { request, _ in try page("speaker/speaker.html", for: request) }
        router.get("app/**") { request, context in
            try page(context.parameters.getCatchAll().joined(separator: "/"), for: request)
        }
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
    }

    private func page(_ path: String, for request: Request) throws -> Response {
        guard let file = files[path] else { throw APIError(.notFound, "No file /app/\(path).") }
        let gzip = file.gzipped != nil && Self.acceptsGzip(request.headers[.acceptEncoding])
        let etag = gzip ? String(file.etag.dropLast()) + "-gz\"" : file.etag
        var headers = HTTPFields()
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = etag
        if file.gzipped != nil { headers[.vary] = "Accept-Encoding" }
        if Self.matches(ifNoneMatch: request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.contentType
        if gzip, let gzipped = file.gzipped {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzipped))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }

    /// Whether an `Accept-Encoding` value accepts gzip (`gzip` or `x-gzip` without `q=0`).
    static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, name == "gzip" || name == "x-gzip" else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }

    /// Whether an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for it) or is `*`.
    static func matches(ifNoneMatch: String?, etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        let plain = { (tag: Substring) -> Substring in
            let trimmed = tag.drop { $0 == " " || $0 == "\t" }
            return trimmed.hasPrefix("W/") ? trimmed.dropFirst(2) : trimmed
        }
        for tag in ifNoneMatch.split(separator: ",") {
            let candidate = plain(tag).trimmingCharacters(in: .whitespaces)
            if candidate == "*" || candidate == etag { return true }
        }
        return false
    }

    /// FNV-1a, 64 bits, in hex: enough to tell two versions of a file apart.
    static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    static func isCompressible(_ contentType: String) -> Bool {
        contentType.hasPrefix("text/") || contentType.hasPrefix("image/svg") || contentType.hasPrefix("application/json")
    }

    static func contentType(of fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json", "webmanifest": "application/json"
        case "wav": "audio/wav"
        default: "application/octet-stream"
        }
    }
}
