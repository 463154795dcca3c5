import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Adam and SGD against hand-computed values and against torch.optim (plain CNN fixture).
final class OptimizerTests: XCTestCase {
    /// One parameter of `values`, gradients `grads`.
    private func store(_ values: [Float], grads: [Float]) -> ParameterStore {
        let s = ParameterStore()
        _ = s.reserve(shape: [values.count])
        s.seal()
        s.values.data.update(from: values, count: values.count)
        s.grads.data.update(from: grads, count: grads.count)
        return s
    }

    func testAdamConstantGradientMovesByLearningRateTimesSign() {
        // With a constant gradient the bias-corrected m̂ = g and v̂ = g², so each step is lr·g/(|g|+eps).
        let s = store([1, -2, 0.5, 3], grads: [0.1, -0.2, 0, 1e-8])
        let adam = Adam(store: s, learningRate: 0.1)
        adam.step()
        let expected1: [Float] = [1 - 0.1 * Float(0.1 / (0.1 + 1e-8)), -2 + 0.1 * Float(0.2 / (0.2 + 1e-8)), 0.5, 3 - 0.05]
        for (a, b) in zip(s.values.toArray(), expected1) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        adam.step()
        let expected2: [Float] = [1 - 0.2, -2 + 0.2, 0.5, 3 - 0.1]
        for (a, b) in zip(s.values.toArray(), expected2) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(adam.stepCount, 2)
    }

    func testAdamWeightDecayIsL2AddedToGradient() {
        // g' = g + wd·p = 0.5 + 0.1·2 = 0.7; one step moves by lr·g'/(|g'|+eps) ≈ lr.
        let s = store([2, -1], grads: [0.5, 0.05])
        let adam = Adam(store: s, learningRate: 0.01, weightDecay: 0.1)
        adam.step()
        // second element: g' = 0.05 - 0.1 = -0.05, so it moves up.
        XCTAssertEqual(s.values[0], 2 - 0.01, accuracy: 1e-7)
        XCTAssertEqual(s.values[1], -1 + 0.01, accuracy: 1e-7)
        let state = adam.exportState()
        XCTAssertEqual(state.buffers["exp_avg"]![0], 0.07, accuracy: 1e-7)
        XCTAssertEqual(state.buffers["exp_avg_sq"]![0], 0.001 * 0.49, accuracy: 1e-9)
    }

    func testSGDMomentumBufferStartsAsGradient() {
        let s = store([1], grads: [0.5])
        let sgd = SGD(store: s, learningRate: 0.1, momentum: 0.9)
        sgd.step()   // b = 0.5, p = 1 - 0.05
        XCTAssertEqual(s.values[0], 0.95, accuracy: 1e-7)
        sgd.step()   // b = 0.9·0.5 + 0.5 = 0.95, p = 0.95 - 0.095
        XCTAssertEqual(s.values[0], 0.855, accuracy: 1e-7)
    }

    func testSGDNesterovWeightDecayAndDampening() {
        let s = store([1], grads: [0.5])
        let nesterov = SGD(store: s, learningRate: 0.1, momentum: 0.9, nesterov: true)
        nesterov.step()  // b = 0.5, update = 0.5 + 0.45 = 0.95
        XCTAssertEqual(s.values[0], 0.905, accuracy: 1e-7)
        nesterov.step()  // b = 0.95, update = 0.5 + 0.855 = 1.355
        XCTAssertEqual(s.values[0], 0.7695, accuracy: 1e-6)

        let t = store([2], grads: [0.5])
        let damped = SGD(store: t, learningRate: 0.1, momentum: 0.5, dampening: 0.5, weightDecay: 0.25)
        damped.step()    // g = 0.5 + 0.5 = 1, b = 1, p = 1.9
        XCTAssertEqual(t.values[0], 1.9, accuracy: 1e-7)
        damped.step()    // g = 0.5 + 0.475 = 0.975, b = 0.5 + 0.4875 = 0.9875, p = 1.80125
        XCTAssertEqual(t.values[0], 1.80125, accuracy: 1e-6)

        let u = store([1, 2], grads: [1, -1])
        let plain = SGD(store: u, learningRate: 0.5)
        plain.step()
        XCTAssertEqual(u.values.toArray(), [0.5, 2.5])
        XCTAssertTrue(plain.exportState().buffers.isEmpty, "no momentum buffer without momentum")
    }

    func testZeroGradClearsEveryGradient() {
        let s = store([1, 2, 3], grads: [4, 5, 6])
        Adam(store: s).zeroGrad()
        XCTAssertEqual(s.grads.toArray(), [0, 0, 0])
    }

    /// Every optimizer variant of the plain CNN fixture, from torch's weights and gradients.
    func testMatchesTorchOptimOnPlainCNNFixture() throws {
        let state = try Parity.file("plain_d3_w8_state.safetensors")
        let data = try Parity.file("plain_d3_w8_data.safetensors")
        let names = state.names.sorted()
        let model = FlatModel(names: names, shapes: names.map { state.tensors[$0]!.shape })
        let variants: [(String, Int, () -> Optimizer)] = [
            ("adam", 1, { Adam(store: model.store, learningRate: 0.01) }),
            ("sgd", 1, { SGD(store: model.store, learningRate: 0.1, momentum: 0.9) }),
            ("adam_wd3", 3, { Adam(store: model.store, learningRate: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1) }),
            ("sgd_m3", 3, { SGD(store: model.store, learningRate: 0.1, momentum: 0.9, dampening: 0.1) }),
            ("sgd_nesterov_wd3", 3, { SGD(store: model.store, learningRate: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01) }),
            ("sgd_plain_wd2", 2, { SGD(store: model.store, learningRate: 0.1, weightDecay: 0.05) }),
        ]
        for (prefix, steps, make) in variants {
            try model.set(from: state, prefix: "")
            let optimizer = make()
            for _ in 0..<steps {
                try model.set(from: data, prefix: "grad.", gradients: true)
                optimizer.step()
            }
            for (name, p) in zip(names, model.parameters) {
                let before = try state.floats(name)
                let torchAfter = try data.floats("\(prefix).\(name)")
                let ours = p.value.toArray()
                // Compare the updates (after − before): weights alone would hide an error in a small step.
                Parity.assertClose(zip(ours, before).map { $0 - $1 }, zip(torchAfter, before).map { $0 - $1 },
                                   "\(prefix) update of \(name)", tolerance: 1e-5)
            }
        }
    }

    func testStateExportImportResumesExactly() throws {
        let values: [Float] = (0..<1000).map { sin(Float($0)) }
        let grads: [Float] = (0..<1000).map { cos(Float($0) * 0.7) }
        for make in [{ (s: ParameterStore) -> Optimizer in Adam(store: s, learningRate: 0.01, weightDecay: 0.01) },
                     { (s: ParameterStore) -> Optimizer in SGD(store: s, learningRate: 0.1, momentum: 0.9, nesterov: true) }] {
            let a = store(values, grads: grads), b = store(values, grads: grads)
            let first = make(a), second = make(b)
            first.step(); first.step()
            second.step(); second.step()
            // A fresh optimizer restored from the state continues exactly like the original, through a file.
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("opt-\(UUID().uuidString).safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try OptimizerCheckpoint.save(second, to: url)
            let resumed = make(b)
            resumed.learningRate = 123
            try OptimizerCheckpoint.load(into: resumed, from: url)
            XCTAssertEqual(resumed.exportState(), second.exportState())
            first.step()
            resumed.step()
            XCTAssertEqual(a.values.toArray(), b.values.toArray())
            XCTAssertEqual(resumed.stepCount, 3)
        }
    }

    func testImportRejectsMismatchedStateAndChangesNothing() throws {
        let s = store([1, 2, 3], grads: [1, 1, 1])
        let adam = Adam(store: s)
        adam.step()
        let before = adam.exportState()
        let sgdState = SGD(store: s, learningRate: 0.1, momentum: 0.9).exportState()
        XCTAssertThrowsError(try adam.importState(sgdState, source: "x")) { error in
            XCTAssertEqual("\(error)", "optimizer state x does not fit: it is SGD state, this optimizer is Adam; "
                + "resume with the optimizer and model that saved it")
        }
        var short = before
        short.buffers["exp_avg"] = [0, 0]
        XCTAssertThrowsError(try adam.importState(short, source: "x")) { error in
            XCTAssertTrue("\(error)".contains("buffer 'exp_avg' has 2 elements but the model has 3 parameters"), "\(error)")
        }
        var nan = before
        nan.buffers["exp_avg_sq"]![1] = .nan
        nan.step = 7
        XCTAssertThrowsError(try adam.importState(nan, source: "x")) { error in
            XCTAssertEqual(error as? CheckpointError, .nonFinite(path: "x", name: "exp_avg_sq", index: 1))
        }
        XCTAssertEqual(adam.exportState(), before)

        // A model checkpoint is not optimizer state.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("m-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save([StateEntry(name: "w", value: .parameter(s.parameters[0]))], to: url)
        XCTAssertThrowsError(try OptimizerCheckpoint.load(into: adam, from: url)) { error in
            XCTAssertTrue("\(error)".contains("is it a model checkpoint?"), "\(error)")
        }
        XCTAssertEqual(adam.exportState(), before)
    }
}
