import XCTest
@testable import TensorEngine

/// Winograd F(4x4, 3x3) against a direct NHWC convolution (3x3, stride 1, padding 1) in Double.
final class Winograd4Tests: XCTestCase {
    typealias reference = WinogradReference

    func transformed(_ w: [Float], co: Int, ci: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 36 * co * ci)
        w.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
            Winograd4.transformWeights(wp.baseAddress!, outChannels: co, inChannels: ci, into: up.baseAddress!)
        }}
        return u
    }

    func winograd4(_ x: [Float], _ u: [Float], n: Int, h: Int, wd: Int, ci: Int, co: Int, chunk: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: n * h * wd * co)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Winograd4.scratchFloats(chunk: chunk, height: h, width: wd,
                                                                                            inChannels: ci, outChannels: co))
        defer { scratch.deallocate() }
        x.withUnsafeBufferPointer { xp in u.withUnsafeBufferPointer { up in y.withUnsafeMutableBufferPointer { yp in
            Winograd4.conv(xp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci, u: up.baseAddress!,
                           outChannels: co, into: yp.baseAddress!, scratch: scratch, chunk: chunk)
        }}}
        return y
    }

    /// Maps that are multiples of 4, odd (partial tiles), smaller than one tile; channel counts that are and are not
    /// multiples of 8 (overlapping vector windows); one and several chunks, one and two workers.
    func testForwardMatchesDirectConvolution() {
        let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
            (3, 8, 8, 8, 8, 2, 1), (2, 7, 5, 12, 9, 1, 2), (4, 4, 4, 16, 24, 1, 2),
            (2, 1, 1, 8, 8, 1, 1), (5, 6, 9, 10, 8, 2, 2), (1, 3, 2, 9, 11, 1, 1),
        ]
        for (n, h, wd, ci, co, chunk, workers) in cases {
            let saved = Parallel.workers
            Parallel.workers = workers
            defer { Parallel.workers = saved }
            let x = reference.random(n * h * wd * ci, seed: 11), w = reference.random(co * 9 * ci, seed: 12)
            let got = winograd4(x, transformed(w, co: co, ci: ci), n: n, h: h, wd: wd, ci: ci, co: co, chunk: chunk)
            let want = reference.directConv(x, w, n: n, h: h, wd: wd, ci: ci, co: co)
            var worst: Float = 0
            for i in 0..<want.count { worst = max(worst, abs(got[i] - want[i])) }
            // Sums of up to 9*16 unit-scale products: F(4x4) rounding stays near 1e-5 of them.
            XCTAssertLessThan(worst, 2e-4, "\(n)x\(h)x\(wd)x\(ci)->\(co) chunk \(chunk) workers \(workers)")
        }
    }

    /// The input-gradient weights give the convolution with W flipped and in/out swapped.
    func testInputGradientWeightsGiveTheTransposedConvolution() {
        let (n, h, wd, ci, co) = (2, 6, 5, 9, 8)
        let w = reference.random(co * 9 * ci, seed: 13), dy = reference.random(n * h * wd * co, seed: 14)
        var flipped = [Float](repeating: 0, count: ci * 9 * co)
        for o in 0..<co { for ky in 0..<3 { for kx in 0..<3 { for i in 0..<ci {
            flipped[((i * 3 + (2 - ky)) * 3 + (2 - kx)) * co + o] = w[((o * 3 + ky) * 3 + kx) * ci + i]
        }}}}
        var u = [Float](repeating: 0, count: 36 * co * ci)
        var scratch = [Float](repeating: 0, count: 9 * co * ci)
        w.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in scratch.withUnsafeMutableBufferPointer { sp in
            Winograd4.transformWeightsForInputGrad(wp.baseAddress!, outChannels: co, inChannels: ci, flipped: sp.baseAddress!,
                                                   into: up.baseAddress!)
        }}}
        XCTAssertEqual(scratch, flipped)
        let got = winograd4(dy, u, n: n, h: h, wd: wd, ci: co, co: ci, chunk: 1)
        let want = reference.directConv(dy, flipped, n: n, h: h, wd: wd, ci: co, co: ci)
        for i in 0..<want.count { XCTAssertEqual(got[i], want[i], accuracy: 2e-4) }
    }

    /// F(4x4) and F(2x2) compute the same convolution.
    func testAgreesWithTwoByTwoTiles() {
        let (n, h, wd, ci, co) = (2, 8, 8, 16, 8)
        let x = reference.random(n * h * wd * ci, seed: 15), w = reference.random(co * 9 * ci, seed: 16)
        var u2 = [Float](repeating: 0, count: 16 * co * ci)
        w.withUnsafeBufferPointer { wp in u2.withUnsafeMutableBufferPointer { up in
            Winograd.transformWeights(wp.baseAddress!, outChannels: co, inChannels: ci, into: up.baseAddress!)
        }}
        let two = reference.winograd(x, u2, n: n, h: h, wd: wd, ci: ci, co: co, chunk: 1)
        let four = winograd4(x, transformed(w, co: co, ci: ci), n: n, h: h, wd: wd, ci: ci, co: co, chunk: 1)
        for i in 0..<two.count { XCTAssertEqual(two[i], four[i], accuracy: 2e-4) }
    }
}

extension Winograd4Tests {
    /// dL/dW through F(4x4) against the direct sums, accumulated onto a non-zero gradient; channel counts that are
    /// not multiples of 8 (overlapping windows must add once), partial tiles, one and two workers.
    func testWeightGradientMatchesDirectSums() {
        let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
            (3, 6, 5, 9, 10, 1, 2), (2, 4, 4, 8, 8, 2, 1), (5, 7, 7, 12, 8, 1, 2), (2, 1, 1, 8, 11, 1, 1), (4, 8, 8, 16, 16, 1, 2),
        ]
        for (n, h, wd, ci, co, chunk, workers) in cases {
            let saved = Parallel.workers
            Parallel.workers = workers
            defer { Parallel.workers = saved }
            let x = reference.random(n * h * wd * ci, seed: 17), dy = reference.random(n * h * wd * co, seed: 18)
            let want = reference.directWeightGrad(x, dy, n: n, h: h, wd: wd, ci: ci, co: co).map { $0 + 0.5 }
            var got = [Float](repeating: 0.5, count: co * 9 * ci)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Winograd4.weightGradScratchFloats(
                batch: n, chunk: chunk, height: h, width: wd, inChannels: ci, outChannels: co))
            defer { scratch.deallocate() }
            x.withUnsafeBufferPointer { xp in dy.withUnsafeBufferPointer { dp in got.withUnsafeMutableBufferPointer { gp in
                Winograd4.weightGrad(xp.baseAddress!, dp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci,
                                     outChannels: co, accumulateInto: gp.baseAddress!, scratch: scratch, chunk: chunk)
            }}}
            var worst: Float = 0
            for i in 0..<want.count { worst = max(worst, abs(got[i] - want[i])) }
            XCTAssertLessThan(worst, 5e-4, "\(n)x\(h)x\(wd)x\(ci)->\(co) chunk \(chunk) workers \(workers)")
        }
    }

    /// Both tile sizes give the same weight gradient bit for bit on 1, 2, 3, 4 and 8 threads, and on
    /// every run: the chunks' partial sums are cut into fixed partitions, not per thread.
    func testWeightGradientIsIdenticalOnAnyThreadCount() {
        let (n, h, wd, ci, co) = (13, 8, 8, 16, 24)
        let x = reference.random(n * h * wd * ci, seed: 31), dy = reference.random(n * h * wd * co, seed: 32)
        func grad(large: Bool, workers: Int) -> [Float] {
            let saved = Parallel.workers
            Parallel.workers = workers
            defer { Parallel.workers = saved }
            var got = [Float](repeating: 0, count: co * 9 * ci)
            let floats = large
                ? Winograd4.weightGradScratchFloats(batch: n, chunk: 2, height: h, width: wd, inChannels: ci, outChannels: co)
                : Winograd.weightGradScratchFloats(batch: n, chunk: 2, height: h, width: wd, inChannels: ci, outChannels: co)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: floats)
            defer { scratch.deallocate() }
            x.withUnsafeBufferPointer { xp in dy.withUnsafeBufferPointer { dp in got.withUnsafeMutableBufferPointer { gp in
                if large {
                    Winograd4.weightGrad(xp.baseAddress!, dp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci,
                                         outChannels: co, accumulateInto: gp.baseAddress!, scratch: scratch, chunk: 2)
                } else {
                    Winograd.weightGrad(xp.baseAddress!, dp.baseAddress!, batch: n, height: h, width: wd, inChannels: ci,
                                        outChannels: co, accumulateInto: gp.baseAddress!, scratch: scratch, chunk: 2)
                }
            }}}
            return got
        }
        for large in [true, false] {
            let one = grad(large: large, workers: 1)
            XCTAssertTrue(one.contains { $0 != 0 })
            for workers in [2, 3, 4, 8, 2] {
                XCTAssertEqual(grad(large: large, workers: workers), one, "\(large ? "F(4x4)" : "F(2x2)") on \(workers) threads")
            }
        }
    }
}
