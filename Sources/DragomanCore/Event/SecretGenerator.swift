/// Makes tokens for organizers and floor publishers.
public enum SecretGenerator {
    /// A random token of `bytes` bytes as lower-case hex (32 bytes: 256 bits).
    public static func token<G: RandomNumberGenerator>(bytes: Int = 24, using generator: inout G) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }
}
