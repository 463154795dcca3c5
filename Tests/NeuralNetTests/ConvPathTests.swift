import XCTest
@testable import NeuralNet
import TensorEngine

/// The three convolution paths (dense patches, active taps, position groups) agree with the direct
/// reference convolution and with each other, forward and backward.
final class ConvPathTests: XCTestCase {
    func run(hw: Int, k: Int, s: Int, p: Int, threshold: Double, chunk: Int = 1 << 20, mode: Mode = .train)
        -> (y: [Float], dx: [Float], dw: [Float], db: [Float], grouped: Bool) {
        let saved = (Conv2d.groupingThreshold, Conv2d.densePatchChunk)
        Conv2d.groupingThreshold = threshold
        Conv2d.densePatchChunk = chunk
        defer { (Conv2d.groupingThreshold, Conv2d.densePatchChunk) = saved }
        let store = ParameterStore()
        let c = Conv2d(store: store, inChannels: 5, outChannels: 6, kernelSize: k, stride: s, padding: p, bias: true)
        store.seal()
        var rng = SeededRandom(seed: 1)
        Initializers.pytorchDefault(weight: c.weight, bias: c.bias, rng: &rng)
        let x = GradCheck.random([3, hw, hw, 5], seed: 2)
        let y = c.forward(x, mode: mode)
        let ref = Tensor(shape: y.shape)
        Im2col.referenceConv(x.data, c.geometry!, weight: c.weight.value.data, bias: c.bias!.value.data, outChannels: 6, into: ref.data)
        for i in 0..<y.count { XCTAssertEqual(y[i], ref[i], accuracy: 1e-4) }
        let dy = GradCheck.random(y.shape, seed: 3)
        let dx = c.backward(dy)
        return (y.toArray(), dx.toArray(), c.weight.grad.toArray(), c.bias!.grad.toArray(), c.grouping != nil)
    }

    func testPathsAgree() {
        for (hw, k, s, p) in [(2, 3, 1, 1), (4, 3, 1, 1), (4, 3, 2, 1), (8, 3, 1, 1), (1, 3, 1, 1), (6, 7, 2, 3), (5, 3, 1, 0)] {
            Conv2d.groupingMinChannels = 1
            defer { Conv2d.groupingMinChannels = 8 }
            let dense = run(hw: hw, k: k, s: s, p: p, threshold: -1)
            let grouped = run(hw: hw, k: k, s: s, p: p, threshold: 2)
            XCTAssertFalse(dense.grouped)
            XCTAssertEqual(grouped.grouped, !(hw == 1 || p == 0), "hw \(hw) k \(k) p \(p)")
            for (a, b) in [(dense.y, grouped.y), (dense.dx, grouped.dx), (dense.dw, grouped.dw), (dense.db, grouped.db)] {
                XCTAssertEqual(a.count, b.count)
                for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-4, "hw \(hw) k \(k) s \(s)") }
            }
        }
    }

    func testChunkedDensePathAgrees() {
        for (hw, k, s, p) in [(5, 3, 1, 1), (6, 7, 2, 3), (4, 3, 2, 1)] {
            let whole = run(hw: hw, k: k, s: s, p: p, threshold: -1)
            for mode in [Mode.train, .eval] {
                // 40 floats per chunk: one sample (or less) per chunk
                let chunked = run(hw: hw, k: k, s: s, p: p, threshold: -1, chunk: 40, mode: mode)
                for (a, b) in [(whole.y, chunked.y), (whole.dx, chunked.dx), (whole.dw, chunked.dw), (whole.db, chunked.db)] {
                    for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-4, "hw \(hw) k \(k) s \(s)") }
                }
            }
        }
    }

    func testGroupingSavesWorkOnSmallMaps() {
        let two = TapClasses(ConvGeometry(batch: 1, height: 2, width: 2, channels: 1, kernelH: 3, kernelW: 3, stride: 1, padding: 1))
        XCTAssertEqual(two.groups.count, 4)
        XCTAssertEqual(two.workFraction, 4.0 / 9.0, accuracy: 1e-12)
        let four = TapClasses(ConvGeometry(batch: 1, height: 4, width: 4, channels: 1, kernelH: 3, kernelW: 3, stride: 1, padding: 1))
        XCTAssertEqual(four.groups.count, 9)
        XCTAssertEqual(four.workFraction, 100.0 / 144.0, accuracy: 1e-12)
    }
}
