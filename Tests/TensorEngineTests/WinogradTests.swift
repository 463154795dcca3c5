import XCTest
@testable import TensorEngine

/// Winograd F(2x2, 3x3) against a direct NHWC convolution (3x3, stride 1, padding 1).
final class WinogradTests: XCTestCase {
    func random(_ n: Int, seed: UInt64) -> [Float] { WinogradReference.random(n, seed: seed) }

    func directConv(_ x: [Float], _ w: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int) -> [Float] {
        WinogradReference.directConv(x, w, n: n, h: h, wd: wd, ci: ci, co: co)
    }

    func winograd(_ x: [Float], _ u: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int, chunk: Int) -> [Float] {
        WinogradReference.winograd(x, u, n: n, h: h, wd: wd, ci: ci, co: co, chunk: chunk)
    }

    func testForwardMatchesDirectConvolutionOnEvenOddAndTinyMaps() {
        for (n, h, wd, ci, co, chunk) in [(3, 8, 8, 5, 7, 2), (2, 5, 7, 4, 3, 1), (2, 1, 1, 6, 4, 2), (1, 2, 3, 3, 2, 1), (4, 4, 4, 16, 8, 3), (2, 6, 6, 12, 10, 2)] {
            let x = random(n * h * wd * ci, seed: 1), w = random(co * 9 * ci, seed: 2)
            var u = [Float](repeating: 0, count: 16 * co * ci)
            w.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
                Winograd.transformWeights(wp.baseAddress!, outChannels: co, inChannels: ci, into: up.baseAddress!)
            }}
            let got = winograd(x, u, n: n, h: h, wd: wd, ci: ci, co: co, chunk: chunk)
            let want = directConv(x, w, n: n, h: h, wd: wd, ci: ci, co: co)
            for i in 0..<want.count { XCTAssertEqual(got[i], want[i], accuracy: 1e-4, "shape \(n)x\(h)x\(wd)x\(ci)->\(co) at \(i)") }
        }
    }

    func testChunksSplitAcrossWorkersGiveTheSameResult() {
        let saved = Parallel.workers
        Parallel.workers = 2
        defer { Parallel.workers = saved }
        let (n, h, wd, ci, co) = (7, 6, 5, 9, 10)
        let x = random(n * h * wd * ci, seed: 6), w = random(co * 9 * ci, seed: 7)
        var u = [Float](repeating: 0, count: 16 * co * ci)
        w.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
            Winograd.transformWeights(wp.baseAddress!, outChannels: co, inChannels: ci, into: up.baseAddress!)
        }}
        let got = winograd(x, u, n: n, h: h, wd: wd, ci: ci, co: co, chunk: 1)
        let want = directConv(x, w, n: n, h: h, wd: wd, ci: ci, co: co)
        for i in 0..<want.count { XCTAssertEqual(got[i], want[i], accuracy: 1e-4) }
    }

    func testInputGradientWeightsGiveTheTransposedConvolution() {
        // dL/dx of y = conv(x, w) is a 3x3 "same" convolution of dy with w flipped and in/out swapped.
        let (n, h, wd, ci, co) = (2, 6, 5, 4, 3)
        let w = random(co * 9 * ci, seed: 3), dy = random(n * h * wd * co, seed: 4)
        var flipped = [Float](repeating: 0, count: ci * 9 * co)
        for o in 0..<co { for ky in 0..<3 { for kx in 0..<3 { for i in 0..<ci {
            flipped[((i * 3 + (2 - ky)) * 3 + (2 - kx)) * co + o] = w[((o * 3 + ky) * 3 + kx) * ci + i]
        }}}}
        var u = [Float](repeating: 0, count: 16 * co * ci)
        w.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
            Winograd.transformWeightsForInputGrad(wp.baseAddress!, outChannels: co, inChannels: ci, into: up.baseAddress!)
        }}
        let got = winograd(dy, u, n: n, h: h, wd: wd, ci: co, co: ci, chunk: 2)
        let want = directConv(dy, flipped, n: n, h: h, wd: wd, ci: co, co: ci)
        for i in 0..<want.count { XCTAssertEqual(got[i], want[i], accuracy: 1e-4) }
        // And it is the adjoint: <conv(x), dy> == <x, dx>.
        let x = random(n * h * wd * ci, seed: 5)
        let y = directConv(x, w, n: n, h: h, wd: wd, ci: ci, co: co)
        let lhs = zip(y, dy).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x, got).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3)
    }

    func testWeightGradientMatchesDirectSums() {
        for (n, h, wd, ci, co, chunk, workers) in [(3, 6, 5, 9, 10, 1, 2), (2, 4, 4, 3, 2, 2, 1), (5, 3, 7, 8, 8, 2, 2), (2, 1, 1, 4, 3, 1, 1)] {
            let saved = Parallel.workers
            Parallel.workers = workers
            defer { Parallel.workers = saved }
            let x = random(n * h * wd * ci, seed: 8), dy = random(n * h * wd * co, seed: 9)
            // The gradient starts at 0.5: accumulation.
            let want = WinogradReference.directWeightGrad(x, dy, n: n, h: h, wd: wd, ci: ci, co: co).map { $0 + 0.5 }
            var got = [Float](repeating: 0.5, count: co * 9 * ci)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Winograd.weightGradScratchFloats(
                batch: n, chunk: chunk, height: h, width: wd, inChannels: ci, outChannels: co))
            defer { scratch.deallocate() }
            x.withUnsafeBufferPointer { xp in dy.withUnsafeBufferPointer { dp in got.withUnsafeMutableBufferPointer { gp in
                Winograd.weightGrad(xp.baseAddress!, dp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci,
                                    outChannels: co, accumulateInto: gp.baseAddress!, scratch: scratch, chunk: chunk)
            }}}
            for i in 0..<want.count { XCTAssertEqual(got[i], want[i], accuracy: 1e-4, "\(n)x\(h)x\(wd)x\(ci)->\(co) at \(i)") }
        }
    }
}
