import CQRencode

/// A QR code made by libqrencode, drawn as SVG (for place cards) or as text (for the terminal).
public struct QRCode: Sendable {
    /// Modules, row by row: true is dark.
    public let modules: [[Bool]]

    public struct EncodingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Encodes `text` (a URL) with medium error correction, which survives a smudged or folded card.
    public init(text: String) throws {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw EncodingError(description: "libqrencode could not encode a QR code of \(text.utf8.count) bytes")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        var rows: [[Bool]] = []
        for y in 0..<width {
            rows.append((0..<width).map { x in code.pointee.data[y * width + x] & 1 == 1 })
        }
        modules = rows
    }

    public var size: Int { modules.count }

    /// An SVG image with a 4-module quiet zone, one path for all dark modules.
    public func svg(moduleSize: Int = 8) -> String {
        let total = size + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                path += "M\(x + 4) \(y + 4)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(total) \(total)" width="\(total * moduleSize)" height="\(total * moduleSize)" shape-rendering="crispEdges">\
            <rect width="\(total)" height="\(total)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The code as text for a terminal, two modules per character cell, with a quiet zone.
    public func terminalText() -> String {
        let quiet = 2
        let width = size + 2 * quiet
        func dark(_ x: Int, _ y: Int) -> Bool {
            let (mx, my) = (x - quiet, y - quiet)
            guard mx >= 0, my >= 0, mx < size, my < size else { return false }
            return modules[my][mx]
        }
        var lines: [String] = []
        var y = 0
        while y < width {
            var line = ""
            for x in 0..<width {
                // Light background, dark modules: works on dark and light terminals once inverted.
                switch (dark(x, y), dark(x, y + 1)) {
                case (false, false): line += "█"
                case (true, false): line += "▄"
                case (false, true): line += "▀"
                case (true, true): line += " "
                }
            }
            lines.append(line)
            y += 2
        }
        return lines.joined(separator: "\n")
    }
}
