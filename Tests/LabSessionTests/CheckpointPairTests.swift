import Foundation
import XCTest
@testable import LabSession
import NeuralNet

/// A model file and its optimizer file are saved as a pair; `load` refuses an optimizer file from another save.
final class CheckpointPairTests: XCTestCase {
    func testOptimizerFileFromAnotherSaveIsRefusedAndChangesNothing() throws {
        let dir = NSTemporaryDirectory() + "lab-pair-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        let s = LabFixture.session()
        XCTAssertEqual(s.run("optimizer adam\ntrain epochs=1 batches=1\nsave \(dir)/m.safetensors").0, .ok)
        try fm.copyItem(atPath: "\(dir)/m.optim.safetensors", toPath: "\(dir)/first.optim")
        XCTAssertEqual(s.run("train epochs=1 batches=1\nsave \(dir)/m.safetensors").0, .ok)
        // As if the second save had died after the model file: the optimizer file is the first save's.
        try fm.removeItem(atPath: "\(dir)/m.optim.safetensors")
        try fm.copyItem(atPath: "\(dir)/first.optim", toPath: "\(dir)/m.optim.safetensors")

        _ = s.run("build resnet18 name=copy")
        let copy = s.state.lab.slot("copy")!.model.store.values
        let before = copy.toArray()
        let error = LabFixture.error(s, "load \(dir)/m.safetensors model=copy")
        XCTAssertEqual(error?.name, "CheckpointError")
        XCTAssertTrue(error?.message.contains("another save") ?? false, error?.message ?? "no error")
        XCTAssertTrue(error?.message.contains("optimizer=off") ?? false)
        XCTAssertEqual(copy.toArray(), before, "a refused load must not change the weights")

        // The weights alone still load, and equal the trained model's.
        XCTAssertEqual(s.run("load \(dir)/m.safetensors model=copy optimizer=off").0, .ok)
        XCTAssertEqual(copy.toArray(), s.state.lab.slot("resnet")!.model.store.values.toArray())
    }
}

/// A save cut short after its model file leaves the optimizer state pending; `load` finds and finishes it.
final class CheckpointPendingTests: XCTestCase {
    func testPendingOptimizerStateOfTheModelsPairIsLoadedAndMovedIntoPlace() throws {
        let dir = NSTemporaryDirectory() + "lab-pending-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let model = "\(dir)/m.safetensors", optim = "\(dir)/m.optim.safetensors"
        let s = LabFixture.session()
        XCTAssertEqual(s.run("optimizer adam\ntrain epochs=1 batches=1\nsave \(model)").0, .ok)
        try fm.copyItem(atPath: optim, toPath: "\(dir)/first.optim")
        XCTAssertEqual(s.run("train epochs=1 batches=1\nsave \(model)").0, .ok)
        let pair = try XCTUnwrap(SafetensorsFile(contentsOf: URL(fileURLWithPath: model)).metadata["pair"])
        // The state of the crash: new model file, new optimizer state still pending, old one in place.
        try fm.moveItem(atPath: optim, toPath: "\(optim).pending-\(pair)")
        try fm.copyItem(atPath: "\(dir)/first.optim", toPath: optim)

        _ = s.run("build resnet18 name=copy")
        let (outcome, sink) = s.run("load \(model) model=copy")
        XCTAssertEqual(outcome, .ok, sink.stdout)
        XCTAssertTrue(sink.stdout.contains("with optimizer state"))
        XCTAssertEqual(s.state.lab.slot("copy")!.optimizer?.stepCount, 2, "the second save's Adam state (2 steps)")
        XCTAssertFalse(fm.fileExists(atPath: "\(optim).pending-\(pair)"))
        XCTAssertEqual(try SafetensorsFile(contentsOf: URL(fileURLWithPath: optim)).metadata["pair"], pair)
    }

    func testSavingWithoutOptimizerRemovesAStaleOptimizerFile() throws {
        let dir = NSTemporaryDirectory() + "lab-stale-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let s = LabFixture.session()
        XCTAssertEqual(s.run("optimizer adam\ntrain epochs=1 batches=1\nsave \(dir)/m.safetensors").0, .ok)
        XCTAssertTrue(fm.fileExists(atPath: "\(dir)/m.optim.safetensors"))
        XCTAssertEqual(s.run("save \(dir)/m.safetensors optimizer=off").0, .ok)
        XCTAssertFalse(fm.fileExists(atPath: "\(dir)/m.optim.safetensors"))
        XCTAssertEqual(s.run("load \(dir)/m.safetensors").0, .ok)
    }
}
