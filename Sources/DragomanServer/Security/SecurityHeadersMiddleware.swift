import HTTPTypes
import Hummingbird

/// Headers on every response that keep the pages from being framed, sniffed or fed foreign
/// scripts, and keep the secrets some URLs carry (PINs, keys, tokens) out of Referer headers.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = VenueRequestContext

    /// Only the server's own scripts, styles and workers; audio from blobs (Media Source), images
    /// from data URLs (QR codes), WebSockets to the server; never inside a frame.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "media-src 'self' blob:", "connect-src 'self' ws: wss:", "worker-src 'self' blob:", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            Self.add(to: &response.headers)
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            Self.add(to: &response.headers)
            return response
        }
    }

    static func add(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
    }
}

extension HTTPField.Name {
    fileprivate static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    fileprivate static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    fileprivate static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
