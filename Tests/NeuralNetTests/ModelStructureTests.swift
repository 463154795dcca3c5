import XCTest
@testable import NeuralNet
import TensorEngine

final class ModelStructureTests: XCTestCase {
    nonisolated(unsafe) static let resnet = ResNet18(seed: 1)

    func testParameterCounts() {
        XCTAssertEqual(Self.resnet.parameterCount, 11_181_642)
        XCTAssertEqual(ResNet18(inChannels: 1, numClasses: 10, seed: 1).parameterCount, 11_175_370)
        XCTAssertEqual(PlainCNN(inChannels: 3, numClasses: 10, depth: 10, width: 64, seed: 1).parameterCount, 334_794)
        XCTAssertEqual(Self.resnet.namedParameters.reduce(0) { $0 + $1.1.count }, 11_181_642)
    }

    func testResNetStateDictNamesAndOrder() {
        let sd = Self.resnet.stateDict
        XCTAssertEqual(sd.count, 122)
        XCTAssertEqual(sd.prefix(8).map(\.name), [
            "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "layer1.0.conv1.weight", "layer1.0.bn1.weight"])
        let names = sd.map(\.name)
        let i = names.firstIndex(of: "layer2.0.downsample.0.weight")!
        XCTAssertEqual(names[i - 1], "layer2.0.bn2.num_batches_tracked")
        XCTAssertEqual(Array(names[i...(i + 5)]), [
            "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer2.0.downsample.1.bias",
            "layer2.0.downsample.1.running_mean", "layer2.0.downsample.1.running_var",
            "layer2.0.downsample.1.num_batches_tracked"])
        XCTAssertFalse(names.contains("layer1.0.downsample.0.weight"))
        XCTAssertTrue(names.contains("layer4.0.downsample.1.bias"))
        XCTAssertEqual(names.suffix(2), ["fc.weight", "fc.bias"])
        XCTAssertEqual(Set(names).count, 122)
        XCTAssertEqual(sd[0].torchShape, [64, 3, 7, 7])
        XCTAssertEqual(sd[5].torchShape, [])
        XCTAssertEqual(sd.first { $0.name == "layer3.0.conv1.weight" }!.torchShape, [256, 128, 3, 3])
        XCTAssertEqual(sd.first { $0.name == "fc.weight" }!.torchShape, [10, 512])
        // store order = named-parameter order, contiguous
        var offset = 0
        for (_, p) in Self.resnet.namedParameters {
            XCTAssertEqual(p.offset, offset)
            offset += p.count
        }
        XCTAssertEqual(Self.resnet.namedParameters.count, 62)
    }

    func testPlainCNNNames() {
        let m = PlainCNN(depth: 3, width: 8, seed: 2)
        XCTAssertEqual(m.stateDict.map(\.name), ["features.0.weight", "features.0.bias", "features.2.weight", "features.2.bias",
                                                 "features.4.weight", "features.4.bias", "fc.weight", "fc.bias"])
        XCTAssertEqual(m.gradientLayers.map(\.0), ["features.0.weight", "features.2.weight", "features.4.weight", "fc.weight"])
    }

    func testInitializationMatchesTorchvisionRules() {
        let m = Self.resnet
        // conv: N(0, 2 / fan_out); layer1.0.conv1 fan_out = 64 * 9
        let w = m.layers[0][0].conv1.weight
        var s = 0.0, ss = 0.0
        for i in 0..<w.count { s += Double(w.value[i]); ss += Double(w.value[i] * w.value[i]) }
        let std = (ss / Double(w.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 576).squareRoot(), accuracy: 0.003)
        XCTAssertEqual(s / Double(w.count), 0, accuracy: 0.002)
        XCTAssertEqual(m.bn1.weight.value.toArray(), Array(repeating: 1, count: 64))
        XCTAssertEqual(m.bn1.bias.value.toArray(), Array(repeating: 0, count: 64))
        XCTAssertEqual(m.bn1.runningVar.toArray(), Array(repeating: 1, count: 64))
        let bound = Float(1 / (512.0).squareRoot())
        let fw = m.fc.weight.value.toArray(), fb = m.fc.bias!.value.toArray()
        XCTAssertTrue(fw.allSatisfy { abs($0) <= bound } && fb.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(fw.map(abs).max()!, bound * 0.95)
        // same seed, same weights; another seed differs
        let a = ResNet18(width: 4, seed: 7), b = ResNet18(width: 4, seed: 7), c = ResNet18(width: 4, seed: 8)
        XCTAssertEqual(a.store.values.toArray(), b.store.values.toArray())
        XCTAssertNotEqual(a.store.values.toArray(), c.store.values.toArray())
        let p = PlainCNN(depth: 2, width: 4, seed: 1)
        let pb = Float(1 / (27.0).squareRoot())
        XCTAssertTrue(p.convs[0].weight.value.toArray().allSatisfy { abs($0) <= pb })
    }

    func testSummaryShapes() {
        let rows = Self.resnet.summary(input: [3, 32, 32])
        func row(_ n: String) -> SummaryRow { rows.first { $0.name == n }! }
        XCTAssertEqual(row("conv1").outputShape, [1, 64, 16, 16])
        XCTAssertEqual(row("maxpool").outputShape, [1, 64, 8, 8])
        XCTAssertEqual(row("layer1.0").outputShape, [1, 64, 8, 8])
        XCTAssertEqual(row("layer2.0").outputShape, [1, 128, 4, 4])
        XCTAssertEqual(row("layer3.1").outputShape, [1, 256, 2, 2])
        XCTAssertEqual(row("layer4.1").outputShape, [1, 512, 1, 1])
        XCTAssertEqual(row("fc").outputShape, [1, 10])
        XCTAssertEqual(row("fc").parameters, 5130)
        XCTAssertEqual(row("layer2.0.downsample.0").parameters, 64 * 128)
        XCTAssertEqual(rows.filter { !$0.isContainer }.reduce(0) { $0 + $1.parameters }, 11_181_642)
        XCTAssertEqual(rows.filter(\.isContainer).count, 8)
        let plain = PlainCNN(seed: 1).summary(input: [3, 32, 32])
        XCTAssertEqual(plain.reduce(0) { $0 + $1.parameters }, 334_794)
    }

    func testArchitectureText() {
        let t = Self.resnet.architecture(input: [3, 32, 32])
        XCTAssertTrue(t.contains("input 3x32x32"))
        XCTAssertTrue(t.contains("layer2.0 BasicBlock 64->128, stride 2  [downsample: conv1x1 stride 2 -> BN]"))
        XCTAssertTrue(t.contains("layer1.1 BasicBlock 64->64, stride 1  [identity shortcut]"))
        XCTAssertTrue(t.contains("conv3x3 -> BN -> ReLU -> conv3x3 -> BN, + shortcut, -> ReLU"))
        XCTAssertTrue(t.contains("fully connected 512 -> 10"))
        XCTAssertTrue(t.contains("-> 64x8x8"))
        XCTAssertEqual(Self.resnet.gradientLayers.count, 18)
    }

    func testCheckInputErrors() {
        let m = ResNet18(inChannels: 1, width: 4, seed: 1)
        XCTAssertNoThrow(try m.checkInput(shape: [2, 28, 28, 1]))
        XCTAssertThrowsError(try m.checkInput(shape: [2, 32, 32, 3])) { e in
            XCTAssertEqual(e as? ModelError, .wrongChannels(expected: 1, got: 3, model: "ResNet-18"))
            XCTAssertTrue("\(e)".contains("expects 1-channel images"))
        }
        XCTAssertThrowsError(try m.checkInput(shape: [28, 28, 1]))
        XCTAssertThrowsError(try m.checkInput(shape: [0, 28, 28, 1]))
        XCTAssertThrowsError(try m.checkInput(shape: [1, 28, 28, 1], mode: .train)) { e in
            XCTAssertEqual(e as? ModelError, .singleValueBatchNorm(batch: 1))
        }
        XCTAssertNoThrow(try m.checkInput(shape: [1, 28, 28, 1], mode: .eval))
        XCTAssertNoThrow(try m.checkInput(shape: [1, 64, 64, 1], mode: .train))
        XCTAssertThrowsError(try m.block("layer5.0")) { e in XCTAssertTrue("\(e)".contains("layer4.1")) }
    }
}
