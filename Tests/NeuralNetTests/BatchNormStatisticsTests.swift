import XCTest
@testable import NeuralNet
import TensorEngine

final class BatchNormStatisticsTests: XCTestCase {
    func testRunningStatisticsUpdateRule() {
        let store = ParameterStore()
        let bn = BatchNorm2d(store: store, channels: 2)
        store.seal()
        bn.resetParameters()
        // x: [2, 1, 2, 2] NHWC; channel 0 values 1,2,3,6 ; channel 1 values -1,0,1,4
        let x = Tensor(shape: [2, 1, 2, 2], values: [1, -1, 2, 0, 3, 1, 6, 4])
        let y = bn.forward(x, mode: .train)
        // channel 0: mean 3, biased var (4+1+0+9)/4 = 3.5, unbiased 14/3
        XCTAssertEqual(bn.runningMean[0], 0.9 * 0 + 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar[0], 0.9 * 1 + 0.1 * (14.0 / 3.0), accuracy: 1e-6)
        XCTAssertEqual(bn.runningMean[1], 0.1 * 1, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar[1], 0.9 + 0.1 * (14.0 / 3.0), accuracy: 1e-6)
        XCTAssertEqual(bn.numBatchesTracked.value, 1)
        // normalized with the biased variance
        XCTAssertEqual(y[0], Float((1 - 3) / (3.5 + 1e-5).squareRoot()), accuracy: 1e-5)
        _ = bn.forward(x, mode: .train)
        XCTAssertEqual(bn.runningMean[0], 0.9 * 0.3 + 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(bn.numBatchesTracked.value, 2)
        // eval uses the running statistics and leaves them alone
        let mean = bn.runningMean[0], variance = bn.runningVar[0]
        let e = bn.forward(x, mode: .eval)
        XCTAssertEqual(e[0], (1 - mean) / (variance + 1e-5).squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(bn.runningMean[0], mean)
        XCTAssertEqual(bn.numBatchesTracked.value, 2)
    }

    func testAffineAndFusedReLU() {
        let store = ParameterStore()
        let bn = BatchNorm2d(store: store, channels: 1, fuseReLU: true)
        store.seal()
        bn.weight.value[0] = 2
        bn.bias.value[0] = 0.5
        let x = Tensor(shape: [4, 1], values: [0, 1, 2, 3])
        let y = bn.forward(x, mode: .train)
        let inv = 1 / (1.25 + 1e-5).squareRoot()
        XCTAssertEqual(y[0], max(0, Float(2 * -1.5 * inv + 0.5)), accuracy: 1e-5)
        XCTAssertEqual(y[3], Float(2 * 1.5 * inv + 0.5), accuracy: 1e-5)
        XCTAssertEqual(y[0], 0)
    }

    func testLargeBatchStatisticsAreAccurate() {
        let store = ParameterStore()
        let bn = BatchNorm2d(store: store, channels: 16)
        store.seal()
        bn.resetParameters()
        let x = GradCheck.random([64, 8, 8, 16], seed: 1, scale: 3)
        for i in 0..<x.count { x[i] += 100 } // large offset: two-pass variance must stay accurate
        _ = bn.forward(x, mode: .train)
        var s = 0.0, ss = 0.0
        let n = x.count / 16
        for r in 0..<n { s += Double(x[r * 16 + 5]) }
        let m = s / Double(n)
        for r in 0..<n { ss += (Double(x[r * 16 + 5]) - m) * (Double(x[r * 16 + 5]) - m) }
        XCTAssertEqual(Double(bn.runningMean[5]), 0.1 * m, accuracy: 1e-4)
        XCTAssertEqual(Double(bn.runningVar[5]), 0.9 + 0.1 * ss / Double(n - 1), accuracy: 1e-3)
    }
}
