import XCTest
@testable import NeuralNet
import TensorEngine

/// The Winograd path of Conv2d agrees with the patch-GEMM paths, forward and backward, train and eval.
final class ConvWinogradTests: XCTestCase {
    func run(hw: Int, winograd: Bool, mode: Mode, relu: Bool, grouping: Double, tile: Int = 4)
        -> (y: [Float], dx: [Float], dw: [Float], db: [Float], used: Bool) {
        // Grouping threshold -1: dense patches for dW; 2: patches grouped by taps.
        let saved = (Conv2d.winogradEnabled, Conv2d.groupingThreshold, Conv2d.winogradTile)
        (Conv2d.winogradEnabled, Conv2d.groupingThreshold, Conv2d.winogradTile) = (winograd, grouping, tile)
        defer { (Conv2d.winogradEnabled, Conv2d.groupingThreshold, Conv2d.winogradTile) = saved }
        let store = ParameterStore()
        let c = Conv2d(store: store, inChannels: 9, outChannels: 11, kernelSize: 3, stride: 1, padding: 1,
                       bias: true, fuseReLU: relu)
        store.seal()
        var rng = SeededRandom(seed: 1)
        Initializers.pytorchDefault(weight: c.weight, bias: c.bias, rng: &rng)
        let x = GradCheck.random([3, hw, hw + 1, 9], seed: 2)
        let y = c.forward(x, mode: mode)
        let dy = GradCheck.random(y.shape, seed: 3)
        let dx = c.backward(dy)
        return (y.toArray(), dx.toArray(), c.weight.grad.toArray(), c.bias!.grad.toArray(), c.usedWinograd)
    }

    func testWinogradMatchesPatchGEMM() {
        for hw in [4, 5, 8, 12] {
            for mode in [Mode.train, .eval] {
                for (relu, grouping, tile) in [(false, -1.0, 4), (true, -1, 4), (true, 2, 4), (true, -1, 2)] {
                    let plain = run(hw: hw, winograd: false, mode: mode, relu: relu, grouping: grouping)
                    let wino = run(hw: hw, winograd: true, mode: mode, relu: relu, grouping: grouping, tile: tile)
                    XCTAssertFalse(plain.used)
                    XCTAssertTrue(wino.used, "hw \(hw) \(mode)")
                    for (a, b) in [(plain.y, wino.y), (plain.dx, wino.dx), (plain.dw, wino.dw), (plain.db, wino.db)] {
                        XCTAssertEqual(a.count, b.count)
                        for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 2e-4, "hw \(hw) \(mode) relu \(relu) tile \(tile)") }
                    }
                }
            }
        }
    }
}
