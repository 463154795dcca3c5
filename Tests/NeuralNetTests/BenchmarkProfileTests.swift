import XCTest
@testable import NeuralNet

/// `swift-lab bench --profile`: one row per ResNet-18 layer call, in forward order, with real times.
final class BenchmarkProfileTests: XCTestCase {
    func testProfileCoversEveryLayerCallInForwardOrder() {
        let rows = Benchmark.profileResNet18(batch: 4, steps: 1)
        let names = rows.map(\.name)
        XCTAssertEqual(Array(names.prefix(4)), ["conv1", "bn1", "maxpool", "layer1.0.conv1"])
        XCTAssertTrue(names.contains("layer4.1.bn2") && names.contains("head") && names.contains("layer1.0.add"))
        XCTAssertEqual(names.filter { $0.hasSuffix("downsample.0") }, ["layer2.0.downsample.0", "layer3.0.downsample.0", "layer4.0.downsample.0"])
        XCTAssertEqual(Set(names).count, names.count, "each call is one row")
        // Convolutions take time in every phase; the backward-only residual adds take none in forward.
        for r in rows where r.name.hasSuffix("conv1") || r.name.hasSuffix("conv2") {
            XCTAssertGreaterThan(r.evalMs, 0, r.name)
            XCTAssertGreaterThan(r.trainForwardMs, 0, r.name)
            XCTAssertGreaterThan(r.backwardMs, 0, r.name)
        }
        for r in rows where r.name.hasSuffix(".add") {
            XCTAssertEqual(r.evalMs, 0, r.name)
            XCTAssertGreaterThan(r.backwardMs, 0, r.name)
        }
    }
}
