import XCTest
@testable import NeuralNet
import TensorEngine

final class LayerGradientTests: XCTestCase {
    func makeConv(_ i: Int, _ o: Int, k: Int, s: Int, p: Int, bias: Bool, relu: Bool = false) -> Conv2d {
        let store = ParameterStore()
        let c = Conv2d(store: store, inChannels: i, outChannels: o, kernelSize: k, stride: s, padding: p, bias: bias, fuseReLU: relu)
        store.seal()
        var rng = SeededRandom(seed: 3)
        Initializers.pytorchDefault(weight: c.weight, bias: c.bias, rng: &rng)
        return c
    }

    func checkConv(_ i: Int, _ o: Int, k: Int, s: Int, p: Int, bias: Bool, relu: Bool = false, hw: Int = 6) {
        let c = makeConv(i, o, k: k, s: s, p: p, bias: bias, relu: relu)
        let x = GradCheck.random([2, hw, hw, i], seed: 5)
        let params = [c.weight] + (c.bias.map { [$0] } ?? [])
        GradCheck.check(x: x, params: params, forward: { c.forward($0, mode: .train) }, backward: { c.backward($0) })
    }

    func testConv3x3Stride1Pad1Bias() { checkConv(3, 4, k: 3, s: 1, p: 1, bias: true) }
    func testConv3x3Stride2Pad1NoBias() { checkConv(4, 5, k: 3, s: 2, p: 1, bias: false) }
    func testConvPointwise() { checkConv(4, 3, k: 1, s: 1, p: 0, bias: true) }
    func testConv1x1Stride2Downsample() { checkConv(3, 6, k: 1, s: 2, p: 0, bias: false) }
    func testConv7x7Stride2Pad3() { checkConv(2, 3, k: 7, s: 2, p: 3, bias: false, hw: 8) }
    func testConv3x3OnOnePixelDropsPaddingTaps() { checkConv(5, 4, k: 3, s: 1, p: 1, bias: true, hw: 1) }
    func testConv3x3Stride2OnTwoPixels() { checkConv(4, 4, k: 3, s: 2, p: 1, bias: false, hw: 2) }
    func testConvNoPadding() { checkConv(2, 3, k: 3, s: 1, p: 0, bias: true, hw: 5) }

    func testConvFusedReLU() {
        let c = makeConv(3, 4, k: 3, s: 1, p: 1, bias: true, relu: true)
        let x = GradCheck.random([2, 5, 5, 3], seed: 8)
        GradCheck.check(x: x, params: [c.weight, c.bias!], eps: 1e-3, atol: 5e-3,
                        forward: { c.forward($0, mode: .train) }, backward: { c.backward($0) })
    }

    func testConvSkipsInputGradWhenAsked() {
        let c = makeConv(3, 4, k: 3, s: 1, p: 1, bias: false)
        c.needsInputGrad = false
        let x = GradCheck.random([1, 4, 4, 3], seed: 8)
        GradCheck.check(x: x, params: [c.weight], checkInput: false,
                        forward: { c.forward($0, mode: .train) }, backward: { c.backward($0) })
    }

    func makeBN(_ c: Int, relu: Bool = false) -> BatchNorm2d {
        let store = ParameterStore()
        let bn = BatchNorm2d(store: store, channels: c, fuseReLU: relu)
        store.seal()
        var rng = SeededRandom(seed: 4)
        for i in 0..<c { bn.weight.value[i] = 0.5 + rng.uniform(); bn.bias.value[i] = rng.normal() * 0.3 }
        return bn
    }

    func testBatchNormTrain() {
        let bn = makeBN(3)
        let x = GradCheck.random([2, 3, 3, 3], seed: 6, scale: 2)
        GradCheck.check(x: x, params: [bn.weight, bn.bias], eps: 1e-3, atol: 3e-3,
                        forward: { bn.forward($0, mode: .train) }, backward: { bn.backward($0) })
    }

    func testBatchNormEval() {
        let bn = makeBN(4)
        for i in 0..<4 { bn.runningMean[i] = Float(i) * 0.1; bn.runningVar[i] = 1 + Float(i) }
        let x = GradCheck.random([2, 2, 2, 4], seed: 7)
        GradCheck.check(x: x, params: [bn.weight, bn.bias],
                        forward: { bn.forward($0, mode: .eval) }, backward: { bn.backward($0) })
    }

    func testBatchNormFusedResidualReLU() {
        let bn = makeBN(3, relu: true)
        let x = GradCheck.random([2, 3, 3, 3], seed: 9, scale: 2)
        let res = GradCheck.random([2, 3, 3, 3], seed: 10)
        GradCheck.check(x: x, params: [bn.weight, bn.bias], eps: 1e-3, atol: 3e-3,
                        forward: { bn.forward($0, residual: res, mode: .train) }, backward: { bn.backward($0) })
        // the residual's gradient is the masked dy
        _ = bn.forward(x, residual: res, mode: .train)
        GradCheck.check(x: res, params: [], eps: 1e-3, atol: 3e-3,
                        forward: { bn.forward(x, residual: $0, mode: .train) },
                        backward: { _ = bn.backward($0); return bn.residualGrad! })
    }

    func testReLU() {
        let r = ReLU()
        let x = GradCheck.random([2, 3, 3, 2], seed: 11)
        for i in 0..<x.count where abs(x[i]) < 0.05 { x[i] = 0.3 }
        GradCheck.check(x: x, params: [], forward: { r.forward($0, mode: .train) }, backward: { r.backward($0) })
    }

    func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        let t = Tensor(shape: shape)
        var rng = SeededRandom(seed: seed)
        var vals = (0..<t.count).map { Float($0) * 0.1 - Float(t.count) * 0.05 }
        vals.shuffle(using: &rng)
        for i in 0..<t.count { t[i] = vals[i] }
        return t
    }

    func testMaxPool3x3Stride2Pad1() {
        let m = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        let x = distinct([2, 5, 5, 3], seed: 12)
        let y = m.forward(x, mode: .train)
        XCTAssertEqual(y.shape, [2, 3, 3, 3])
        GradCheck.check(x: x, params: [], eps: 1e-2, forward: { m.forward($0, mode: .train) }, backward: { m.backward($0) })
    }

    func testMaxPool2x2() {
        let m = MaxPool2d(kernelSize: 2, stride: 2)
        let x = distinct([1, 4, 4, 2], seed: 13)
        let y = m.forward(x, mode: .train)
        // channel 0 of output (0,0) is the max of the 2x2 window
        let w = [x[0], x[2], x[8], x[10]]
        XCTAssertEqual(y[0], w.max()!)
        GradCheck.check(x: x, params: [], forward: { m.forward($0, mode: .train) }, backward: { m.backward($0) })
    }

    func testAdaptiveAvgPool() {
        let p = AdaptiveAvgPool2d()
        let x = GradCheck.random([2, 3, 2, 4], seed: 14)
        let y = p.forward(x, mode: .train)
        XCTAssertEqual(y.shape, [2, 1, 1, 4])
        var s: Float = 0
        for i in 0..<6 { s += x[i * 4 + 1] }
        XCTAssertEqual(y[1], s / 6, accuracy: 1e-6)
        GradCheck.check(x: x, params: [], forward: { p.forward($0, mode: .train) }, backward: { p.backward($0) })
    }

    func testFlattenUsesPyTorchOrder() {
        let f = Flatten()
        let x = Tensor(shape: [1, 1, 2, 3], values: [0, 1, 2, 3, 4, 5]) // NHWC: (w0: c0 c1 c2), (w1: ...)
        let y = f.forward(x, mode: .train)
        XCTAssertEqual(y.shape, [1, 6])
        XCTAssertEqual(y.toArray(), [0, 3, 1, 4, 2, 5]) // C, H, W order
        GradCheck.check(x: x, params: [], forward: { f.forward($0, mode: .train) }, backward: { f.backward($0) })
    }

    func testLinear() {
        let store = ParameterStore()
        let l = Linear(store: store, inFeatures: 5, outFeatures: 3)
        store.seal()
        var rng = SeededRandom(seed: 15)
        Initializers.pytorchDefault(weight: l.weight, bias: l.bias, rng: &rng)
        let x = GradCheck.random([4, 5], seed: 16)
        let y = l.forward(x, mode: .train)
        var ref = Double(l.bias!.value[2])
        for k in 0..<5 { ref += Double(l.weight.value[2 * 5 + k]) * Double(x[1 * 5 + k]) }
        XCTAssertEqual(Double(y[1 * 3 + 2]), ref, accuracy: 1e-5)
        GradCheck.check(x: x, params: [l.weight, l.bias!], forward: { l.forward($0, mode: .train) }, backward: { l.backward($0) })
    }

    func testResidualAdd() {
        let add = ResidualAdd()
        let a = GradCheck.random([1, 2, 2, 3], seed: 17), b = GradCheck.random([1, 2, 2, 3], seed: 18)
        let y = add.forward(a, b)
        XCTAssertEqual(y[5], a[5] + b[5])
        GradCheck.check(x: a, params: [], forward: { add.forward($0, b) }, backward: { add.backward($0).0 })
        GradCheck.check(x: b, params: [], forward: { add.forward(a, $0) }, backward: { add.backward($0).1 })
    }

    func checkBlock(inC: Int, outC: Int, stride: Int) {
        let store = ParameterStore()
        let b = BasicBlock(store: store, inChannels: inC, outChannels: outC, stride: stride)
        store.seal()
        var rng = SeededRandom(seed: 19)
        b.initialize(rng: &rng)
        let x = GradCheck.random([2, 4, 4, inC], seed: 20)
        GradCheck.check(x: x, params: store.parameters, eps: 1e-3, atol: 5e-3, rtol: 3e-2, limit: 24,
                        forward: { b.forward($0, mode: .train) }, backward: { b.backward($0) })
    }

    func testBasicBlockIdentity() { checkBlock(inC: 3, outC: 3, stride: 1) }
    func testBasicBlockDownsample() { checkBlock(inC: 2, outC: 4, stride: 2) }

    func testCrossEntropyLossValueAndGradient() {
        let logits = Tensor(shape: [2, 3], values: [1, 2, 3, 0.5, -1, 2])
        let loss = CrossEntropyLoss()
        let v = loss.forward(logits, labels: [2, 0])
        let l0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let l1 = log(exp(0.5) + exp(-1.0) + exp(2.0)) - 0.5
        XCTAssertEqual(Double(v), (l0 + l1) / 2, accuracy: 1e-6)
        // huge logits stay finite
        let big = Tensor(shape: [1, 2], values: [1000, -1000])
        XCTAssertEqual(loss.forward(big, labels: [1]), 2000, accuracy: 1e-2)
        let x = GradCheck.random([3, 4], seed: 21)
        let labels = [1, 3, 0]
        GradCheck.check(x: x, params: [], eps: 1e-3, atol: 1e-4,
                        forward: { Tensor(shape: [1], values: [loss.forward($0, labels: labels)]) },
                        backward: { r in
                            let g = loss.gradient.copy()
                            for i in 0..<g.count { g[i] *= r[0] }
                            return g
                        })
    }

    func testArgmaxAndAccuracy() {
        let logits = Tensor(shape: [3, 3], values: [0, 2, 1, 5, 5, 1, -1, -2, -0.5])
        XCTAssertEqual(Metrics.argmax(logits), [1, 0, 2])
        XCTAssertEqual(Metrics.accuracy(logits, labels: [1, 1, 2]), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(Metrics.correctCount(logits, labels: [Int32(1), 0, 0]), 2)
    }
}
