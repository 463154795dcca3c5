import Foundation
import NeuralNet
import TensorEngine
import XCTest
@testable import LabSession

/// Training guards: a non-finite loss stops training and keeps the last good step; interrupts at
/// any moment leave model and optimizer consistent and training can go on.
final class TrainingRobustnessTests: XCTestCase {
    override func tearDown() { TrainingGuard.lossOverrideForTests = nil }

    /// Steps the slot's optimizer has taken must equal the batches its history records.
    private func assertConsistent(_ s: Session, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let slot = s.slot("resnet")
        XCTAssertTrue(weightsAreFinite(slot.model), "\(what): weights not finite", file: file, line: line)
        let batches = slot.history.reduce(0) { $0 + $1.batches }
        XCTAssertEqual(Int(slot.optimizer?.exportState().step ?? 0), batches, "\(what): optimizer steps vs batches", file: file, line: line)
    }

    func testNaNLossKeepsTheLastGoodStep() {
        let reference = LabFixture.session()
        XCTAssertEqual(reference.run("train epochs=1 batches=2").0, .ok)
        let good = SessionSnapshot(reference)

        let s = LabFixture.session()
        TrainingGuard.lossOverrideForTests = { $0 == 3 ? .nan : nil }
        guard case .failed(let e) = s.run("train epochs=1 batches=5").0 else { return XCTFail("training went on past a NaN loss") }
        XCTAssertEqual(e.name, "NonFiniteLoss")
        XCTAssertTrue(e.message.contains("the loss is nan") && e.message.contains("batch 3") && e.message.contains("last good step"), e.message)
        XCTAssertFalse(e.message.contains("\n"))
        XCTAssertEqual(SessionSnapshot(s), good, "weights, BatchNorm statistics and Adam state of step 2")
        assertConsistent(s, "after NaN")

        TrainingGuard.lossOverrideForTests = nil
        XCTAssertEqual(s.run("train epochs=1 batches=2").0, .ok, "training goes on after the stop")
        assertConsistent(s, "after resuming")
        XCTAssertEqual(s.slot("resnet").epochsDone, 1)
    }

    func testInfiniteLossOnTheFirstStepChangesNothing() {
        let s = LabFixture.session()
        let before = SessionSnapshot(s)
        TrainingGuard.lossOverrideForTests = { _ in .infinity }
        guard case .failed(let e) = s.run("train epochs=2").0 else { return XCTFail() }
        XCTAssertTrue(e.message.contains("the loss is inf") && e.message.contains("batch 1"), e.message)
        var after = SessionSnapshot(s)
        // The stopped run created the optimizer (zero state, zero steps); everything else is as before.
        XCTAssertEqual(after.optimizerSteps["resnet"], 0)
        XCTAssertTrue(after.optimizerBuffers["resnet"]?.values.allSatisfy { $0.allSatisfy { $0 == 0 } } ?? false)
        after.optimizerSteps = [:]; after.optimizerBuffers = [:]
        XCTAssertEqual(after, before)
    }

    func testNonFiniteWeightsFromALoadedOptimizerAreRefused() throws {
        let s = LabFixture.session()
        let dir = robustnessTempDir("hp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(s.run("train epochs=1 batches=1\nsave \(dir)/m.safetensors").0, .ok)
        // An optimizer file whose learning rate is NaN would poison every weight at the next step.
        let url = URL(fileURLWithPath: "\(dir)/m.optim.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        var w = SafetensorsWriter(metadata: file.metadata.merging(["hp.lr": "nan"]) { _, n in n })
        for name in file.names {
            if name == "step" { w.addI64(name, shape: [], values: try file.int64s(name)) } else {
                w.addF32(name, shape: file.tensors[name]!.shape, values: try file.floats(name))
            }
        }
        try w.write(to: url)
        XCTAssertEqual(s.run("train epochs=1 batches=1").0, .ok)
        let before = SessionSnapshot(s)
        guard case .failed(let e) = s.run("load \(dir)/m.safetensors").0 else { return XCTFail("NaN learning rate accepted") }
        XCTAssertTrue(e.message.contains("hp.lr"), e.message)
        XCTAssertEqual(SessionSnapshot(s), before, "a refused optimizer file must not change the weights either")
    }

    /// Interrupts from another thread at random moments; after each the state is consistent.
    func testInterruptsAtRandomMomentsKeepModelAndOptimizerConsistent() {
        let s = LabFixture.session()
        var rng = SeededRandom(seed: 77)
        var interrupted = 0
        for round in 0 ..< 6 {
            let delay = Double(rng.int(below: 400)) / 1000
            let fired = DispatchSemaphore(value: 0)
            nonisolated(unsafe) let target = s  // requestInterrupt is safe from any thread
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: delay)
                target.requestInterrupt()
                fired.signal()
            }
            let (outcome, sink) = s.run("train epochs=2 batches=3")
            fired.wait()
            switch outcome {
            case .interrupted(let message):
                interrupted += 1
                XCTAssertTrue(message.contains("keeps every update so far"), message)
                XCTAssertEqual(s.slot("resnet").history.last?.complete, false)
            case .ok: XCTAssertTrue(sink.stdout.contains("epoch"))
            case .failed(let e): XCTFail("round \(round): \(e.message)")
            }
            assertConsistent(s, "round \(round) after \(delay) s")
        }
        XCTAssertGreaterThan(interrupted, 0, "at least one interrupt landed during training")
        let done = s.slot("resnet").epochsDone
        XCTAssertEqual(s.run("train epochs=1 batches=2").0, .ok)
        XCTAssertEqual(s.slot("resnet").epochsDone, done + 1)
        assertConsistent(s, "after continuing")
    }
}
