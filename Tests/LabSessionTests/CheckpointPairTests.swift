import Foundation
import XCTest
@testable import LabSession

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
