import DragomanCore
import Foundation
import Hummingbird

/// Serves the web apps (listener, floor microphone) from the files bundled with the binary.
struct WebAppRoutes: Sendable {
    private let files: [String: (contentType: String, bytes: ByteBuffer)]

    /// Loads every file of the bundled `Web` folder into memory once: they are small, and a
    /// hall full of phones asks for the same few files at the same moment.
    init() throws {
        guard let root = Bundle.module.url(forResource: "Web", withExtension: nil) else {
            throw APIError(.internalError, "The web apps are missing from the installation (no Web resource folder).")
        }
        var files: [String: (String, ByteBuffer)] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files[relative] = (Self.contentType(of: url.pathExtension), ByteBuffer(bytes: try Data(contentsOf: url)))
        }
        self.files = files
    }

    func register(on router: some RouterMethods<VenueRequestContext>) {
        router.get("/") { _, _ in try page("listener/listener.html") }
        router.get("j/:code") { _, _ in try page("listener/listener.html") }
        router.get("floor/:code") { _, _ in try page("floor/floor.html") }
        router.get("booth/:code") { _, _ in try page("booth/booth.html") }
        router.get("dashboard/:code") { _, _ in try page("dashboard/dashboard.html") }
        router.get("speaker/:code") { _, _ in try page("speaker/speaker.html") }
        router.get("app/**") { _, context in
            try page(context.parameters.getCatchAll().joined(separator: "/"))
        }
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
    }

    private func page(_ path: String) throws -> Response {
        guard let file = files[path] else { throw APIError(.notFound, "No file /app/\(path).") }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
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
