import Foundation
import XCTest
@testable import NeuralNet
import TensorEngine

/// Model checkpoints: round trip, torchvision names, and every malformed file leaving the model unchanged.
final class CheckpointModelTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A small ResNet-18 whose BN statistics and counters have moved (one train forward).
    private func trainedResNet(seed: UInt64, classes: Int = 10) -> ResNet18 {
        let m = ResNet18(inChannels: 3, numClasses: classes, width: 4, seed: seed)
        let x = Tensor(shape: [2, 32, 32, 3], values: (0..<(2 * 32 * 32 * 3)).map { sin(Float($0) * 0.01 + Float(seed)) })
        _ = m.forward(x, mode: .train)
        return m
    }

    func testRoundTripRestoresEveryBitAndTheSameOutputs() throws {
        let a = trainedResNet(seed: 1), b = ResNet18(inChannels: 3, numClasses: 10, width: 4, seed: 2)
        let url = dir.appendingPathComponent("a.safetensors")
        try a.saveCheckpoint(to: url, metadata: ["note": "test"])
        XCTAssertNotEqual(Parity.snapshot(a.stateDict), Parity.snapshot(b.stateDict))
        let metadata = try b.loadCheckpoint(from: url)
        XCTAssertEqual(metadata, ["format": "pt", "producer": "swift-lab", "model": "ResNet-18", "note": "test"])
        XCTAssertEqual(Parity.snapshot(a.stateDict), Parity.snapshot(b.stateDict))
        XCTAssertEqual(a.bn1.numBatchesTracked.value, 1)
        XCTAssertEqual(b.bn1.numBatchesTracked.value, 1)
        let x = Tensor(shape: [1, 32, 32, 3], values: (0..<3072).map { cos(Float($0)) })
        XCTAssertEqual(a.forward(x, mode: .eval).toArray(), b.forward(x, mode: .eval).toArray())
    }

    func testConvWeightsAreSavedOIHW() throws {
        let m = ResNet18(inChannels: 3, numClasses: 10, width: 4, seed: 3)
        let url = dir.appendingPathComponent("m.safetensors")
        try m.saveCheckpoint(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        let w = m.conv1.weight  // engine [O, KH, KW, I] = [4, 7, 7, 3]
        XCTAssertEqual(w.value.shape, [4, 7, 7, 3])
        XCTAssertEqual(file.tensors["conv1.weight"]?.shape, [4, 3, 7, 7])
        let saved = try file.floats("conv1.weight")
        for (o, i, kh, kw) in [(0, 0, 0, 0), (1, 2, 3, 4), (3, 1, 6, 5), (2, 0, 5, 1)] {
            XCTAssertEqual(saved[((o * 3 + i) * 7 + kh) * 7 + kw], w.value[((o * 7 + kh) * 7 + kw) * 3 + i])
        }
        XCTAssertEqual(file.tensors["bn1.num_batches_tracked"]?.dtype, .I64)
        XCTAssertEqual(file.tensors["layer1.0.bn1.running_var"]?.dtype, .F32)
    }

    /// Full-size ResNet-18: exactly torchvision's 122 state-dict entries (names, order, shapes, dtypes).
    func testFullResNet18FileHasTorchvisionsEntries() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Parity.url("torchvision_resnet18_keys.json"))) as! [String: Any]
        let entries = json["entries"] as! [[String: Any]]
        let model = ResNet18(inChannels: 3, numClasses: 10, seed: 0)
        XCTAssertEqual(entries.count, 122)
        XCTAssertEqual(model.stateDict.map(\.name), entries.map { $0["name"] as! String })
        XCTAssertEqual(model.stateDict.map(\.torchShape), entries.map { ($0["shape"] as! [Int]) })
        XCTAssertEqual(model.parameterCount, json["trainable_parameters"] as? Int)
        let url = dir.appendingPathComponent("resnet18.safetensors")
        try model.saveCheckpoint(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        XCTAssertEqual(file.tensors.count, 122)
        XCTAssertEqual(file.names, entries.map { $0["name"] as! String }, "data section in state-dict order")
        for e in entries {
            let info = file.tensors[e["name"] as! String]!
            XCTAssertEqual(info.shape, e["shape"] as! [Int])
            XCTAssertEqual(info.dtype, (e["dtype"] as! String) == "int64" ? .I64 : .F32, info.name)
        }
    }

    // MARK: - Malformed files leave the model unchanged

    /// Loads `bytes` into a fresh trained model; returns the error after checking the model did not change.
    private func failedLoad(_ bytes: Data, file: StaticString = #filePath, line: UInt = #line) -> CheckpointError? {
        let model = trainedResNet(seed: 11)
        let before = Parity.snapshot(model.stateDict)
        let url = dir.appendingPathComponent("bad.safetensors")
        do {
            try bytes.write(to: url)
            try model.loadCheckpoint(from: url)
            XCTFail("load succeeded", file: file, line: line)
            return nil
        } catch {
            XCTAssertEqual(Parity.snapshot(model.stateDict), before, "model changed by a failed load", file: file, line: line)
            guard let e = error as? CheckpointError else { XCTFail("\(error)", file: file, line: line); return nil }
            return e
        }
    }

    /// Serialized state of `model` (kept alive while serializing: parameter views do not retain their store).
    private func serialized(_ model: ResNet18) -> Data {
        withExtendedLifetime(model) { Checkpoint.writer(for: model.stateDict).serialized() }
    }

    private var goodBytes: Data { serialized(trainedResNet(seed: 12)) }

    /// A file like `goodBytes` where `edit` may write its own replacement for an entry (returning true)
    /// or nothing at all (returning true without writing); entries it returns false for are written as saved.
    private func bytes(editing edit: (inout SafetensorsWriter, StateEntry) -> Bool) -> Data {
        let source = trainedResNet(seed: 12)
        defer { withExtendedLifetime(source) {} }
        var w = SafetensorsWriter(metadata: Checkpoint.defaultMetadata())
        for e in source.stateDict where !edit(&w, e) {
            switch e.value {
            case .parameter(let p):
                w.addF32(e.name, shape: p.torchShape, values: TorchLayout.toTorch(p.value.data, layout: p.layout, engineShape: p.value.shape))
            case .buffer(let t): w.addF32(e.name, shape: t.shape, values: t.toArray())
            case .counter(let c): w.addI64(e.name, shape: [], values: [c.value])
            }
        }
        return w.serialized()
    }

    func testGoodFileLoads() throws {
        let model = trainedResNet(seed: 11)
        let url = dir.appendingPathComponent("good.safetensors")
        try goodBytes.write(to: url)
        try model.loadCheckpoint(from: url)
        let reference = trainedResNet(seed: 12)
        XCTAssertEqual(Parity.snapshot(model.stateDict), Parity.snapshot(reference.stateDict))
    }

    func testTruncatedFile() {
        let good = goodBytes
        guard case .truncated(_, let detail)? = failedLoad(good.prefix(good.count - 100)) else { return XCTFail() }
        XCTAssertTrue(detail.contains("ends at data byte"), detail)
        guard case .headerTooLarge? = failedLoad(good.prefix(100)) else { return XCTFail() }
        guard case .truncated? = failedLoad(good.prefix(4)) else { return XCTFail() }
    }

    func testBadHeaderJSONAndHugeHeaderSize() {
        var good = goodBytes
        good[20] = UInt8(ascii: "}")
        guard case .badHeader? = failedLoad(good) else { return XCTFail() }
        var huge = goodBytes
        huge.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 50).littleEndian) { Data($0) })
        guard case .headerTooLarge(_, 1 << 50, _)? = failedLoad(huge) else { return XCTFail() }
    }

    func testOverlappingAndOutOfRangeOffsets() {
        let n = 4 * 3 * 7 * 7 * 4  // conv1.weight bytes, the first tensor
        let overlap = CheckpointFormatTests.rawFile(
            #"{"conv1.weight":{"dtype":"F32","shape":[4,3,7,7],"data_offsets":[0,\#(n)]},"#
            + #""bn1.weight":{"dtype":"F32","shape":[4],"data_offsets":[\#(n - 8),\#(n + 8)]}}"#,
            [UInt8](repeating: 0, count: n + 8))
        XCTAssertEqual(failedLoad(overlap).map { "\($0)" }, "checkpoint \(dir.path)/bad.safetensors: tensor 'bn1.weight' has bad "
                       + "data_offsets: starts at \(n - 8), expected \(n) (overlaps the previous tensor); the file is damaged, save it again")
        let outside = CheckpointFormatTests.rawFile(#"{"bn1.weight":{"dtype":"F32","shape":[4],"data_offsets":[1000,1016]}}"#, [0])
        guard case .truncated? = failedLoad(outside) else { return XCTFail() }
    }

    func testUnknownMissingShapeDTypeAndNaN() throws {
        let path = dir.appendingPathComponent("bad.safetensors").path
        XCTAssertEqual(failedLoad(bytes { w, e in
            if e.name == "fc.bias" { w.addF32("fc.bias", shape: [10], values: [Float](repeating: 0, count: 10)); w.addF32("head.extra", shape: [1], values: [0]); return true }
            return false
        }), .unknownTensor(path: path, name: "head.extra", unknownCount: 1))
        XCTAssertEqual(failedLoad(bytes { _, e in e.name.hasPrefix("layer4.1.bn2") }),
                       .missingTensor(path: path, name: "layer4.1.bn2.weight", missingCount: 5))
        let fiveClasses = serialized(trainedResNet(seed: 12, classes: 5))
        let shapeError = failedLoad(fiveClasses)
        XCTAssertEqual(shapeError, .shapeMismatch(path: path, name: "fc.weight", expected: [10, 32], found: [5, 32]))
        XCTAssertEqual(shapeError?.description, "checkpoint \(path): tensor 'fc.weight' has shape [5, 32] but the model expects "
                       + "[10, 32]; build the model with the same input channels, classes and width as the saved one")
        XCTAssertEqual(failedLoad(bytes { w, e in
            if e.name == "layer2.0.bn1.num_batches_tracked" { w.addF32(e.name, shape: [], values: [1]); return true }
            return false
        }), .dtypeMismatch(path: path, name: "layer2.0.bn1.num_batches_tracked", expected: "I64", found: "F32"))
        XCTAssertEqual(failedLoad(bytes { w, e in
            if e.name == "layer3.1.conv2.weight" { w.addI64(e.name, shape: e.torchShape, values: [Int64](repeating: 0, count: 16 * 16 * 9)); return true }
            return false
        }), .dtypeMismatch(path: path, name: "layer3.1.conv2.weight", expected: "F32 (or F64/F16/BF16)", found: "I64"))
        XCTAssertEqual(failedLoad(bytes { w, e in
            if e.name == "layer1.1.bn2.running_var" { w.addF32(e.name, shape: [4], values: [1, 1, .nan, 1]); return true }
            return false
        }), .nonFinite(path: path, name: "layer1.1.bn2.running_var", index: 2))
        XCTAssertEqual(failedLoad(bytes { w, e in
            if e.name == "fc.weight" { w.addF32(e.name, shape: [10, 32], values: [Float](repeating: .infinity, count: 320)); return true }
            return false
        }), .nonFinite(path: path, name: "fc.weight", index: 0))
    }

    func testTorchSavedFileLoads() throws {
        // resnet_w4_state was written by safetensors.torch.save_file from a PyTorch state_dict().
        let model = ResNet18(inChannels: 3, numClasses: 10, width: 4, seed: 9)
        try model.loadCheckpoint(from: Parity.url("resnet_w4_state.safetensors"))
        XCTAssertEqual(model.bn1.numBatchesTracked.value, 5)
        let file = try Parity.file("resnet_w4_state.safetensors")
        let torchConv = try file.floats("layer2.0.downsample.0.weight")  // [8, 4, 1, 1]
        XCTAssertEqual(Tensor.torchLayout(of: model.blocks[2].1.downsample!.conv.weight).toArray(), torchConv)
        XCTAssertEqual(model.bn1.runningVar.toArray(), try file.floats("bn1.running_var"))
    }
}

