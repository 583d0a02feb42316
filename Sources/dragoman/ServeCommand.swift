import ArgumentParser
import DragomanServer
import Foundation
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server: listener app, floor ingest, live channels (HTTP and HTTPS on one machine)."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        ResourceLimits.raiseOpenFiles()
        let server = try options.makeServer()
        try await server.run { ready in
            Banner.printServing(ready, server: server)
        }
    }
}

/// The options every command that starts a server shares.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (0.0.0.0: reachable from phones on the venue network).")
    var host = "0.0.0.0"

    @Option(help: "HTTP port (0: any free port).")
    var port = 8080

    @Option(help: "HTTPS port, for browsers that need a secure page (WebCodecs, microphone).")
    var tlsPort = 8443

    @Flag(help: "Serve plain HTTP only.")
    var noTLS = false

    @Option(help: "PEM certificate for HTTPS (default: a self-signed one made in the data folder).")
    var tlsCert: String?

    @Option(help: "PEM private key for HTTPS.")
    var tlsKey: String?

    @Option(help: "Folder for the database, the organizer token and the certificate (default: $DRAGOMAN_DATA_DIR or ~/.local/share/dragoman).")
    var dataDir: String?

    @Option(help: "Organizer token to use instead of the one kept in the data folder (also $DRAGOMAN_ORGANIZER_TOKEN).")
    var organizerToken: String?

    @Option(help: "Host name or address phones use to reach this machine, for links and QR codes (default: its first LAN address).")
    var publicHost: String?

    @Option(help: "Opus bit rate of every channel in bit/s (24000–32000 for speech in full band).")
    var bitrate = 32000

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "notice"

    @OptionGroup(title: "Machine booths") var machine: MachineOptions

    func validate() throws {
        guard (6000...128_000).contains(bitrate) else { throw ValidationError("--bitrate must be between 6000 and 128000 bit/s") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    func makeServer() throws -> VenueServer {
        var logger = Logger(label: "dragoman")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        var configuration = ServerConfiguration(
            host: host,
            port: port,
            tlsPort: noTLS ? nil : tlsPort,
            tlsCertificatePath: tlsCert,
            tlsKeyPath: tlsKey,
            dataDirectory: dataDir.map { URL(fileURLWithPath: $0) } ?? ServerConfiguration.defaultDataDirectory,
            organizerToken: organizerToken ?? ProcessInfo.processInfo.environment["DRAGOMAN_ORGANIZER_TOKEN"],
            publicHost: publicHost,
            bitrate: bitrate
        )
        configuration.machineEngines = try machine.engines()
        return try VenueServer(configuration: configuration, logger: logger)
    }
}
