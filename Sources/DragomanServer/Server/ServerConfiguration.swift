public import Foundation

/// How `dragoman serve` runs. Every field has a default that suits one laptop in a venue.
public struct ServerConfiguration: Sendable {
    /// The address to listen on; `0.0.0.0` reaches phones on the venue network.
    public var host: String
    /// The plain HTTP port (0: any free port).
    public var port: Int
    /// The HTTPS port, or nil for no HTTPS.
    public var tlsPort: Int?
    /// A PEM certificate and key to use; when nil, one is made and kept in the data folder.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Where the database, the organizer token and the generated certificate live.
    public var dataDirectory: URL
    /// The organizer token; when nil, the one in the data folder is used (made on first start).
    public var organizerToken: String?
    /// The host name or address phones use to reach the server, for join links and QR codes;
    /// when nil, the first non-loopback IPv4 address of the machine.
    public var publicHost: String?
    /// Opus bit rate of every channel, 24–32 kbit/s for speech in full band.
    public var bitrate: Int
    /// How many connections may wait to be accepted: large, so a room-wide reconnect is not refused.
    public var backlog: Int
    /// The most connections open at once; nil: the descriptor limit less a reserve.
    public var maximumConnections: Int? = nil
    /// The engines of machine booths; nil: events' machine booths stay idle (the dashboard says "starting").
    public var machineEngines: MachineEngines? = nil

    public init(
        host: String = "0.0.0.0",
        port: Int = 8080,
        tlsPort: Int? = 8443,
        tlsCertificatePath: String? = nil,
        tlsKeyPath: String? = nil,
        dataDirectory: URL = ServerConfiguration.defaultDataDirectory,
        organizerToken: String? = nil,
        publicHost: String? = nil,
        bitrate: Int = 32000,
        backlog: Int = 4096
    ) {
        self.host = host
        self.port = port
        self.tlsPort = tlsPort
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
        self.dataDirectory = dataDirectory
        self.organizerToken = organizerToken
        self.publicHost = publicHost
        self.bitrate = bitrate
        self.backlog = backlog
    }

    /// `$DRAGOMAN_DATA_DIR`, else `$XDG_DATA_HOME/dragoman`, else `~/.local/share/dragoman`.
    public static var defaultDataDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["DRAGOMAN_DATA_DIR"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let path = environment["XDG_DATA_HOME"], !path.isEmpty { return URL(fileURLWithPath: path).appendingPathComponent("dragoman") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/dragoman")
    }
}
