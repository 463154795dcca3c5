import XCTest
@testable import TensorEngine

/// Shared by the Winograd tests: seeded inputs, the direct convolution in Double, F(2x2) through `Winograd.conv`.
enum WinogradReference {
    static func random(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in rng.uniform(-1, 1) }
    }

    /// y[n, oy, ox, o] = sum over (ky, kx, i) of x[n, oy+ky-1, ox+kx-1, i] * w[o, ky, kx, i], in Double.
    static func directConv(_ x: [Float], _ w: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int) -> [Float] {
        var y = [Float](repeating: 0, count: n * h * wd * co)
        for s in 0..<n { for oy in 0..<h { for ox in 0..<wd { for o in 0..<co {
            var acc = 0.0
            for ky in 0..<3 { for kx in 0..<3 {
                let iy = oy + ky - 1, ix = ox + kx - 1
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                for i in 0..<ci { acc += Double(x[((s * h + iy) * wd + ix) * ci + i]) * Double(w[((o * 3 + ky) * 3 + kx) * ci + i]) }
            }}
            y[((s * h + oy) * wd + ox) * co + o] = Float(acc)
        }}}}
        return y
    }

    static func winograd(_ x: [Float], _ u: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int, chunk: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: n * h * wd * co)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Winograd.scratchFloats(chunk: chunk, height: h, width: wd, inChannels: ci, outChannels: co))
        defer { scratch.deallocate() }
        x.withUnsafeBufferPointer { xp in u.withUnsafeBufferPointer { up in y.withUnsafeMutableBufferPointer { yp in
            Winograd.conv(xp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci, u: up.baseAddress!,
                          outChannels: co, into: yp.baseAddress!, scratch: scratch, chunk: chunk)
        }}}
        return y
    }

    /// dL/dW `[co, 3, 3, ci]` of a 3x3 "same" convolution: sums of x * dy over every output position, in Double.
    static func directWeightGrad(_ x: [Float], _ dy: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int) -> [Float] {
        var dw = [Float](repeating: 0, count: co * 9 * ci)
        for o in 0..<co { for ky in 0..<3 { for kx in 0..<3 { for i in 0..<ci {
            var acc = 0.0
            for s in 0..<n { for oy in 0..<h { for ox in 0..<wd {
                let iy = oy + ky - 1, ix = ox + kx - 1
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                acc += Double(x[((s * h + iy) * wd + ix) * ci + i]) * Double(dy[((s * h + oy) * wd + ox) * co + o])
            }}}
            dw[((o * 3 + ky) * 3 + kx) * ci + i] = Float(acc)
        }}}}
        return dw
    }
}
