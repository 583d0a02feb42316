import DragomanAudio
import DragomanCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
public import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// The Dragoman server of one venue: the JSON API, the web apps, the live audio over
/// WebSocket and the fallback streams, on an HTTP port and an HTTPS port.
///
/// ```swift
/// let server = try VenueServer(configuration: .init(port: 8080))
/// try await server.run { ready in print(ready.httpURL) }
/// ```
public struct VenueServer: Sendable {
    /// Where the server can be reached once it runs.
    public struct Ready: Sendable {
        public var httpPort: Int
        public var tlsPort: Int?
        /// The base URL phones in the room use (join links).
        public var publicURL: String
        public var publicTLSURL: String?
    }

    public let configuration: ServerConfiguration
    /// The secret that lets its holder create and change events.
    public let organizerToken: String
    public let events: LiveEvents
    /// Counts wrong credentials per client address, for every route and WebSocket that takes one.
    let lockout = CredentialLockout()
    /// The cap on open connections, below the descriptor limit.
    let admission: ConnectionAdmission
    let logger: Logger
    let publicHost: String
    /// The engines this server runs as processes of its own (the Whisper worker).
    let localEngines: [LocalEngineSupervisor]

    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "dragoman")) throws {
        self.configuration = configuration
        self.logger = logger
        self.admission = ConnectionAdmission(limit: configuration.maximumConnections ?? ConnectionAdmission.defaultLimit)
        let directory = configuration.dataDirectory
        if let token = configuration.organizerToken, token.count < Self.minimumTokenLength {
            throw ConfigurationError(
                "The organizer token must be at least \(Self.minimumTokenLength) characters long; it opens every event's dashboard and API."
            )
        }
        // The data folder holds the hashes of PINs, floor tokens and keys, and recordings: only this user may read it.
        umask(0o077)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try DataFolderPermissions.restrict(directory)
        self.organizerToken = try configuration.organizerToken ?? Self.storedOrganizerToken(in: directory)
        let publicHost = configuration.publicHost ?? NetworkAddresses.primaryIPv4() ?? "127.0.0.1"
        self.publicHost = publicHost
        let localEngines = (configuration.machineEngines?.localEngines ?? []).map { LocalEngineSupervisor(engine: $0, logger: logger) }
        self.localEngines = localEngines
        let links = PublicLinks(
            base: "http://\(publicHost):\(configuration.port)",
            secureBase: configuration.tlsPort.map { "https://\(publicHost):\($0)" }
        )
        self.events = LiveEvents(
            store: try EventStore(path: directory.appendingPathComponent("dragoman.sqlite").path),
            links: links,
            machineEngines: configuration.machineEngines,
            machinesNeeded: { [localEngines] in for engine in localEngines { engine.demand() } },
            recordingFolder: directory.appendingPathComponent("recordings", isDirectory: true),
            bitrate: configuration.bitrate,
            logger: logger
        )
    }

    /// Runs until SIGINT or SIGTERM; calls `onReady` once every port accepts connections.
    public func run(onReady: @escaping @Sendable (Ready) async -> Void = { _ in }) async throws {
        let folderLock = try DataFolder.lock(configuration.dataDirectory)
        defer { folderLock.release() }
        let encoder = try OpusEncoder(bitrate: configuration.bitrate)
        let preSkip = encoder.lookahead
        let codec = ControlMessages.Codec(name: "opus", opusHead: Data(OpusHead.identificationHeader(preSkip: preSkip)).base64EncodedString())

        let links = events.links
        let gate = WebSocketGate(
            events: events,
            opusCodec: codec,
            bitrate: configuration.bitrate,
            organizerToken: organizerToken,
            lockout: lockout
        )
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: FloorSession.maximumMessageSize,
            autoPing: .enabled(timePeriod: .seconds(15)),
            validateUTF8: true
        )
        let admission = self.admission
        let server = HTTPServerBuilder { responder in
            VenueChildChannel(responder: responder, webSocket: webSocket, admission: admission) { request, channel, logger in
                try await gate.route(request, channel: channel, logger: logger)
            }
        }

        let ports = PortReport(expected: configuration.tlsPort == nil ? 1 : 2)
        let makeReady: @Sendable (Int, Int?) -> Ready = { [publicHost] http, tls in
            Ready(
                httpPort: http,
                tlsPort: tls,
                publicURL: "http://\(publicHost):\(http)",
                publicTLSURL: tls.map { "https://\(publicHost):\($0)" }
            )
        }

        let router = try makeRouter(links: links, preSkip: preSkip)
        var services: [any Service] = [ListenerShutdown(events: events)]
        let http = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "Dragoman",
                backlog: configuration.backlog
            ),
            onServerRunning: { channel in
                if let all = await ports.report(http: channel.localAddress?.port ?? 0) { await onReady(makeReady(all.http, all.tls)) }
            },
            logger: logger
        )
        services.append(http)

        if let tlsPort = configuration.tlsPort {
            let tls = try tlsConfiguration()
            let https = Application(
                router: router,
                server: try .tls(server, tlsConfiguration: tls),
                configuration: .init(address: .hostname(configuration.host, port: tlsPort), serverName: "Dragoman", backlog: configuration.backlog),
                onServerRunning: { channel in
                    if let all = await ports.report(tls: channel.localAddress?.port ?? 0) { await onReady(makeReady(all.http, all.tls)) }
                },
                logger: logger
            )
            services.append(https)
        }

        services += localEngines.map { $0 as any Service }
        services.append(RecordingRetention(events: events))

        var lifecycle = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Open connections (a phone that never reads, a stream with no floor) must not keep the server up.
        lifecycle.maximumGracefulShutdownDuration = Self.shutdownGrace
        lifecycle.maximumCancellationDuration = .seconds(2)
        let group = ServiceGroup(configuration: lifecycle)
        defer { events.stopAllMachines() }
        try await group.run()
    }

    private func makeRouter(links: PublicLinks, preSkip: Int) throws -> Router<VenueRequestContext> {
        let router = Router(context: VenueRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        let guarded = router.group().add(middleware: LockoutMiddleware(lockout: lockout))
        EventAPI(events: events, organizerToken: organizerToken, links: links).register(on: guarded)
        OggStreamRoute(events: events, preSkip: preSkip).register(on: guarded)
        MetricsRoute(events: events, organizerToken: organizerToken, admission: admission, lockout: lockout).register(on: guarded)
        try WebAppRoutes().register(on: router)
        return router
    }

    private func tlsConfiguration() throws -> TLSConfiguration {
        let paths: (certificate: String, key: String)
        if let certificate = configuration.tlsCertificatePath, let key = configuration.tlsKeyPath {
            paths = (certificate, key)
        } else {
            paths = try SelfSignedCertificate.ensure(in: configuration.dataDirectory, hosts: [publicHost])
        }
        let chain = try NIOSSLCertificate.fromPEMFile(paths.certificate).map { NIOSSLCertificateSource.certificate($0) }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain,
            privateKey: .privateKey(try NIOSSLPrivateKey(file: paths.key, format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        return tls
    }

    /// The shortest organizer token accepted.
    public static let minimumTokenLength = 16
    /// How long a stop (SIGTERM, SIGINT) waits for open connections before it cuts them.
    public static let shutdownGrace: Duration = .seconds(3)

    /// Reads the organizer token kept in the data folder, making one on first start.
    private static func storedOrganizerToken(in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("organizer-token")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return token }
        }
        var rng = SystemRandomNumberGenerator()
        let token = SecretGenerator.token(using: &rng)
        try token.write(to: file, atomically: true, encoding: .utf8)
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return token
    }
}

/// Collects the bound ports of the HTTP and HTTPS listeners, so readiness is reported once, when both run.
private actor PortReport {
    let expected: Int
    var http: Int?
    var tls: Int?
    init(expected: Int) { self.expected = expected }

    func report(http port: Int) -> (http: Int, tls: Int?)? {
        http = port
        return complete
    }

    func report(tls port: Int) -> (http: Int, tls: Int?)? {
        tls = port
        return complete
    }

    private var complete: (http: Int, tls: Int?)? {
        guard let http else { return nil }
        if expected == 2, tls == nil { return nil }
        return (http, tls)
    }
}
