import XCTest
@testable import NeuralNet
import TensorEngine

/// The convolution paths (dense patches, active taps, position groups, unrolled weights) agree with
/// the direct reference convolution and with each other, forward and backward.
final class ConvPathTests: XCTestCase {
    func run(hw: Int, k: Int, s: Int, p: Int, threshold: Double, chunk: Int = 1 << 20, mode: Mode = .train,
             unrollDensity: Double = 2)
        -> (y: [Float], dx: [Float], dw: [Float], db: [Float], grouped: Bool, unrolled: Bool) {
        let saved = (Conv2d.groupingThreshold, Conv2d.densePatchChunk, UnrolledConv.minimumDensity)
        Conv2d.groupingThreshold = threshold
        Conv2d.densePatchChunk = chunk
        UnrolledConv.minimumDensity = unrollDensity
        defer { (Conv2d.groupingThreshold, Conv2d.densePatchChunk, UnrolledConv.minimumDensity) = saved }
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
        return (y.toArray(), dx.toArray(), c.weight.grad.toArray(), c.bias!.grad.toArray(), c.grouping != nil, c.unrolled != nil)
    }

    func testPathsAgree() {
        for (hw, k, s, p) in [(2, 3, 1, 1), (4, 3, 1, 1), (4, 3, 2, 1), (8, 3, 1, 1), (1, 3, 1, 1), (6, 7, 2, 3), (5, 3, 1, 0)] {
            Conv2d.groupingMinChannels = 1
            defer { Conv2d.groupingMinChannels = 8 }
            let dense = run(hw: hw, k: k, s: s, p: p, threshold: -1)
            let grouped = run(hw: hw, k: k, s: s, p: p, threshold: 2)
            // Density 0: every shape small enough runs unrolled, sparse ones (with zero blocks) included.
            let unrolled = run(hw: hw, k: k, s: s, p: p, threshold: -1, unrollDensity: 0)
            XCTAssertFalse(dense.grouped || dense.unrolled || grouped.unrolled)
            XCTAssertEqual(grouped.grouped, !(hw == 1 || p == 0), "hw \(hw) k \(k) p \(p)")
            XCTAssertTrue(unrolled.unrolled, "hw \(hw) k \(k) p \(p)")
            for (a, b) in [(dense.y, grouped.y), (dense.dx, grouped.dx), (dense.dw, grouped.dw), (dense.db, grouped.db),
                           (dense.y, unrolled.y), (dense.dx, unrolled.dx), (dense.dw, unrolled.dw), (dense.db, unrolled.db)] {
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

    /// Unrolling is chosen only where every output position reads (nearly) every input position.
    func testUnrolledPlansOnlyDenseTinyMaps() {
        func geometry(_ hw: Int, _ s: Int, _ c: Int = 256) -> ConvGeometry {
            ConvGeometry(batch: 128, height: hw, width: hw, channels: c, kernelH: 3, kernelW: 3, stride: s, padding: 1)
        }
        let two = UnrolledConv(geometry(2, 1), outChannels: 256)
        XCTAssertEqual(two.blocks.count, 16)
        XCTAssertEqual(two.density, 1)
        XCTAssertEqual([two.inFeatures, two.outFeatures], [1024, 1024])
        XCTAssertTrue(UnrolledConv.worthwhile(geometry(2, 1), outChannels: 256))   // layer3 on 32x32 images
        XCTAssertTrue(UnrolledConv.worthwhile(geometry(1, 1, 512), outChannels: 512))   // layer4
        XCTAssertTrue(UnrolledConv.worthwhile(geometry(2, 2), outChannels: 512))   // layer4.0.conv1
        XCTAssertEqual(UnrolledConv(geometry(4, 1), outChannels: 8).density, 100.0 / 256.0, accuracy: 1e-12)
        XCTAssertFalse(UnrolledConv.worthwhile(geometry(4, 1, 8), outChannels: 8))   // sparse: grouping or Winograd
        XCTAssertFalse(UnrolledConv.worthwhile(geometry(2, 1, 2048), outChannels: 2048))   // too large to unroll
        let pointwise = ConvGeometry(batch: 1, height: 2, width: 2, channels: 4, kernelH: 1, kernelW: 1, stride: 1, padding: 0)
        XCTAssertFalse(UnrolledConv.worthwhile(pointwise, outChannels: 4))
    }

    /// In a frozen scope the unrolled weights are built once; outside it, every forward rebuilds them
    /// (so a weight changed between passes is seen), and the results agree either way.
    func testFrozenScopeKeepsDerivedWeightsAndThawedPassesSeeChanges() {
        let store = ParameterStore()
        let c = Conv2d(store: store, inChannels: 4, outChannels: 3, kernelSize: 3, stride: 1, padding: 1, bias: false)
        let wino = Conv2d(store: store, inChannels: 8, outChannels: 5, kernelSize: 3, stride: 1, padding: 1, bias: false)
        store.seal()
        var rng = SeededRandom(seed: 4)
        Initializers.pytorchDefault(weight: c.weight, bias: nil, rng: &rng)
        Initializers.pytorchDefault(weight: wino.weight, bias: nil, rng: &rng)
        let x = GradCheck.random([2, 2, 2, 4], seed: 5), xw = GradCheck.random([2, 6, 6, 8], seed: 6)
        let before = c.forward(x, mode: .eval).toArray(), beforeW = wino.forward(xw, mode: .eval).toArray()
        XCTAssertNotNil(c.unrolled)
        XCTAssertTrue(wino.usedWinograd)
        store.withFrozenValues {
            XCTAssertEqual(c.forward(x, mode: .eval).toArray(), before)
            XCTAssertEqual(wino.forward(xw, mode: .eval).toArray(), beforeW)
            // Inside the scope a change is not seen: the derived weights are kept (hence the contract).
            c.weight.value.data[0] += 1
            wino.weight.value.data[0] += 1
            XCTAssertEqual(c.forward(x, mode: .eval).toArray(), before)
            XCTAssertEqual(wino.forward(xw, mode: .eval).toArray(), beforeW)
        }
        XCTAssertNotEqual(c.forward(x, mode: .eval).toArray(), before, "a thawed pass rebuilds Wu")
        XCTAssertNotEqual(wino.forward(xw, mode: .eval).toArray(), beforeW, "a thawed pass re-transforms U")
        store.withFrozenValues {
            XCTAssertNotEqual(c.forward(x, mode: .eval).toArray(), before, "a new scope rebuilds once")
            XCTAssertNotEqual(wino.forward(xw, mode: .eval).toArray(), beforeW)
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
