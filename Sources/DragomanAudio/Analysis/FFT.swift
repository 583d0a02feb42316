import Foundation

/// An in-place iterative radix-2 complex FFT, enough for the analysis helpers
/// (correlating seconds of audio) without a dependency.
struct FFT {
    let size: Int
    private let cosines: [Double]
    private let sines: [Double]

    /// - Parameter size: a power of two.
    init(size: Int) {
        precondition(size > 0 && size & (size - 1) == 0, "FFT size must be a power of two, not \(size)")
        self.size = size
        let half = size / 2
        cosines = (0..<half).map { cos(-2 * Double.pi * Double($0) / Double(size)) }
        sines = (0..<half).map { sin(-2 * Double.pi * Double($0) / Double(size)) }
    }

    /// The smallest power of two at least `count`.
    static func size(atLeast count: Int) -> Int {
        var size = 1
        while size < count { size <<= 1 }
        return size
    }

    /// Transforms `real` + i·`imaginary` in place; `inverse` conjugates the twiddles (no 1/N scaling).
    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool = false) {
        precondition(real.count == size && imaginary.count == size)
        let direction: Double = inverse ? -1 : 1
        real.withUnsafeMutableBufferPointer { re in
            imaginary.withUnsafeMutableBufferPointer { im in
                // Bit-reversal permutation.
                var j = 0
                for i in 1..<size {
                    var bit = size >> 1
                    while j & bit != 0 {
                        j ^= bit
                        bit >>= 1
                    }
                    j |= bit
                    if i < j {
                        re.swapAt(i, j)
                        im.swapAt(i, j)
                    }
                }
                cosines.withUnsafeBufferPointer { cosines in
                    sines.withUnsafeBufferPointer { sines in
                        var length = 2
                        while length <= size {
                            let halfLength = length / 2
                            let stride = size / length
                            var start = 0
                            while start < size {
                                for k in 0..<halfLength {
                                    let wr = cosines[k * stride]
                                    let wi = direction * sines[k * stride]
                                    let a = start + k
                                    let b = a + halfLength
                                    let tr = re[b] * wr - im[b] * wi
                                    let ti = re[b] * wi + im[b] * wr
                                    re[b] = re[a] - tr
                                    im[b] = im[a] - ti
                                    re[a] += tr
                                    im[a] += ti
                                }
                                start += length
                            }
                            length <<= 1
                        }
                    }
                }
            }
        }
    }
}
