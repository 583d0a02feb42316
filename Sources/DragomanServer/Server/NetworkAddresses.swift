import NIOCore

/// The machine's addresses, to print links phones on the venue network can open.
public enum NetworkAddresses {
    /// The first IPv4 address that is not loopback, if any.
    public static func primaryIPv4() -> String? {
        guard let devices = try? System.enumerateDevices() else { return nil }
        for device in devices {
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress,
                !ip.hasPrefix("127.")
            else { continue }
            return ip
        }
        return nil
    }
}
