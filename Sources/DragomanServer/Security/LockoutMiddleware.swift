import DragomanCore
import Hummingbird

/// Puts the HTTP routes that take credentials (the API, the Ogg streams) behind the credential
/// lockout: a locked-out address gets 429 before its guess is even looked at, and every 401 or
/// unknown join code it causes counts against it.
struct LockoutMiddleware: RouterMiddleware {
    typealias Context = VenueRequestContext
    let lockout: CredentialLockout

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            try lockout.admit(context.clientAddress)
        } catch {
            throw APIError(error)
        }
        do {
            let response = try await next(request, context)
            if (200..<300).contains(response.status.code) { lockout.record(nil, from: context.clientAddress) }
            return response
        } catch let error as APIError {
            lockout.record(error.error.code, from: context.clientAddress)
            throw error
        }
    }
}
