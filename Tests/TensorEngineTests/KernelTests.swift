import XCTest
@testable import TensorEngine

final class KernelTests: XCTestCase {
    func random(_ n: Int, seed: UInt64) -> Tensor { Self.randomTensor(n, seed: seed) }

    /// `[n]` standard-normal values from a seeded generator.
    static func randomTensor(_ n: Int, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        let t = Tensor(shape: [n])
        for i in 0..<n { t[i] = rng.normal() }
        return t
    }

    func testGEMMMatchesReferenceForEveryTransposition() {
        let (m, n, k) = (37, 29, 53)
        let a = random(m * k, seed: 1), b = random(k * n, seed: 2)
        for ta in [false, true] {
            for tb in [false, true] {
                let c1 = random(m * n, seed: 3), c2 = c1.copy()
                let lda = ta ? m : k, ldb = tb ? k : n
                GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda, b: b.data, ldb: ldb,
                           beta: 1, c: c1.data, ldc: n)
                GEMM.referenceSgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda, b: b.data, ldb: ldb,
                                    beta: 1, c: c2.data, ldc: n)
                for i in 0..<m * n { XCTAssertEqual(c1[i], c2[i], accuracy: 1e-4) }
            }
        }
    }

    func testIm2colMatchesReferenceWhenAllTapsActive() {
        let g = ConvGeometry(batch: 2, height: 7, width: 6, channels: 3, kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        XCTAssertTrue(g.allTapsActive)
        XCTAssertEqual([g.outHeight, g.outWidth], [4, 3])
        let x = random(2 * 7 * 6 * 3, seed: 4)
        let a = Tensor(shape: [g.rows * g.fullK]), b = Tensor(shape: [g.rows * g.fullK])
        Im2col.im2col(x.data, g, into: a.data)
        Im2col.referenceIm2col(x.data, g, into: b.data)
        XCTAssertEqual(a.toArray(), b.toArray())
    }

    func testActiveTapsOnTinyMaps() {
        let one = ConvGeometry(batch: 1, height: 1, width: 1, channels: 4, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
        XCTAssertEqual(one.taps, [4])
        let two = ConvGeometry(batch: 1, height: 2, width: 2, channels: 4, kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        XCTAssertEqual(two.taps, [4, 5, 7, 8])
        XCTAssertEqual(two.activeK, 16)
        let pw = ConvGeometry(batch: 1, height: 3, width: 3, channels: 4, kernelH: 1, kernelW: 1, stride: 1, padding: 0)
        XCTAssertTrue(pw.isPointwise)
    }

    func testTapDroppedConvolutionMatchesDirectConvolution() {
        for (hw, s) in [(1, 1), (2, 2), (2, 1), (5, 2)] {
            let g = ConvGeometry(batch: 3, height: hw, width: hw, channels: 5, kernelH: 3, kernelW: 3, stride: s, padding: 1)
            let o = 4
            let x = random(3 * hw * hw * 5, seed: 5), w = random(o * 9 * 5, seed: 6), bias = random(o, seed: 7)
            let cols = Tensor(shape: [g.rows * g.activeK])
            Im2col.im2col(x.data, g, into: cols.data)
            let pw = Tensor(shape: [o * g.activeK])
            for oo in 0..<o { for (j, t) in g.taps.enumerated() { for i in 0..<5 { pw[oo * g.activeK + j * 5 + i] = w[oo * 45 + t * 5 + i] } } }
            let y = Tensor(shape: [g.rows * o]), ref = Tensor(shape: [g.rows * o])
            GEMM.sgemm(transB: true, m: g.rows, n: o, k: g.activeK, a: cols.data, lda: g.activeK, b: pw.data, ldb: g.activeK, c: y.data, ldc: o)
            Kernels.addBiasReLU(y.data, rows: g.rows, cols: o, bias: bias.data, relu: false)
            Im2col.referenceConv(x.data, g, weight: w.data, bias: bias.data, outChannels: o, into: ref.data)
            for i in 0..<y.count { XCTAssertEqual(y[i], ref[i], accuracy: 1e-4, "hw \(hw) s \(s)") }
        }
    }

    func testCol2imIsTheAdjointOfIm2col() {
        let g = ConvGeometry(batch: 2, height: 5, width: 4, channels: 3, kernelH: 3, kernelW: 3, stride: 2, padding: 1)
        let x = random(2 * 5 * 4 * 3, seed: 8), c = random(g.rows * g.activeK, seed: 9)
        let cols = Tensor(shape: [g.rows * g.activeK]), dx = Tensor(shape: [x.count])
        Im2col.im2col(x.data, g, into: cols.data)
        Im2col.col2im(c.data, g, into: dx.data)
        var lhs = 0.0, rhs = 0.0
        for i in 0..<cols.count { lhs += Double(cols[i]) * Double(c[i]) }
        for i in 0..<x.count { rhs += Double(x[i]) * Double(dx[i]) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3)
    }

    func testElementwiseKernelsMatchReferences() {
        let n = 300_001 // large enough to split across workers, odd for the scalar tail
        let a = random(n, seed: 10), b = random(n, seed: 11)
        let out = Tensor(shape: [n])
        Kernels.add(a.data, b.data, into: out.data, count: n)
        XCTAssertEqual(out[n - 1], a[n - 1] + b[n - 1])
        XCTAssertEqual(out[12345], a[12345] + b[12345])
        Kernels.relu(a.data, into: out.data, count: n)
        XCTAssertTrue((0..<n).allSatisfy { out[$0] == max(a[$0], 0) })
        Kernels.reluBackward(b.data, output: out.data, into: out.data, count: n)
        XCTAssertTrue((0..<n).allSatisfy { out[$0] == (a[$0] > 0 ? b[$0] : 0) })
        let (rows, cols) = (1001, 67)
        let y1 = random(rows * cols, seed: 12), y2 = y1.copy(), bias = random(cols, seed: 13)
        Kernels.addBiasReLU(y1.data, rows: rows, cols: cols, bias: bias.data, relu: true)
        Kernels.referenceAddBiasReLU(y2.data, rows: rows, cols: cols, bias: bias.data, relu: true)
        XCTAssertEqual(y1.toArray(), y2.toArray())
        let s1 = Tensor(shape: [cols]), s2 = Tensor(shape: [cols])
        Kernels.columnSums(y1.data, rows: rows, cols: cols, accumulateInto: s1.data)
        Kernels.referenceColumnSums(y1.data, rows: rows, cols: cols, accumulateInto: s2.data)
        for j in 0..<cols { XCTAssertEqual(s1[j], s2[j], accuracy: 1e-3) }
        let v = Tensor(shape: [4], values: [1, -2, 3, -4])
        XCTAssertEqual(Kernels.meanAbs(v.data, count: 4), 2.5)
        let m = Tensor(shape: [2, 3], values: [1, 3, 3, -1, -2, 0])
        XCTAssertEqual(Kernels.argmaxRows(m.data, rows: 2, cols: 3), [1, 2])
        withExtendedLifetime((v, m)) {}
    }

    func testLayoutConversionsRoundTrip() {
        let t = Tensor(shape: [2, 3, 4, 5])
        for i in 0..<t.count { t[i] = Float(i) }
        let nchw = t.nhwcToNCHW()
        XCTAssertEqual(nchw.shape, [2, 5, 3, 4])
        // element (n=1, h=2, w=3, c=4) lands at (1, 4, 2, 3)
        XCTAssertEqual(nchw[((1 * 5 + 4) * 3 + 2) * 4 + 3], t[((1 * 3 + 2) * 4 + 3) * 5 + 4])
        XCTAssertEqual(nchw.nchwToNHWC().toArray(), t.toArray())
        let store = ParameterStore()
        _ = store.reserve(shape: [2, 3, 3, 4], layout: .convOHWI)
        store.seal()
        let p = store.parameters[0]
        for i in 0..<p.count { p.value[i] = Float(i) }
        let torch = Tensor.torchLayout(of: p)
        XCTAssertEqual(torch.shape, [2, 4, 3, 3])
        XCTAssertEqual(torch[((1 * 4 + 2) * 3 + 0) * 3 + 1], p.value[((1 * 3 + 0) * 3 + 1) * 4 + 2])
    }

    func testSeededRandomIsReproducible() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in b.next() })
        var c = SeededRandom(seed: 1)
        let xs = (0..<20000).map { _ in Double(c.normal()) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let v = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(v, 1, accuracy: 0.05)
    }
}
