import DragomanCore
import Foundation
import Hummingbird

/// A `ProtocolError` as an HTTP response: the status of its code and the JSON error body
/// of docs/protocol.md.
struct APIError: HTTPResponseError {
    let error: ProtocolError

    init(_ error: ProtocolError) { self.error = error }
    init(_ code: ProtocolError.Code, _ message: String) { self.error = ProtocolError(code, message) }

    var status: HTTPResponse.Status { .init(code: error.code.httpStatus) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(ErrorBody(error: .init(code: error.code.rawValue, message: error.message)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if error.code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"error": {"code": …, "message": …}}`
private struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }
    var error: Detail
}
