import XCTest
@testable import LabSession

/// §0-§6 commands on real values.
final class ModelCommandTests: XCTestCase {
    func testInfoReportsBLASCoreThreadsPrecision() {
        let (o, sink) = Session().run("threads 2\ninfo")
        XCTAssertEqual(o, .ok)
        XCTAssertTrue(sink.stdout.contains("OpenBLAS"), sink.stdout)
        XCTAssertTrue(sink.stdout.contains("precision: float32"))
        XCTAssertTrue(sink.stdout.contains("threads:   2"))
    }

    func testMoreThreadsThanCoresWarnsAndStillRuns() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let s = Session()
        defer { _ = s.run("threads \(cores)") }
        let (o, sink) = s.run("threads \(cores + 3)")
        XCTAssertEqual(o, .ok)
        XCTAssertEqual(sink.stdout, "threads \(cores + 3)\n")
        XCTAssertTrue(sink.stderr.hasPrefix("warning: \(cores + 3) threads on \(cores) core"), sink.stderr)
        XCTAssertTrue(sink.stderr.contains("'threads \(cores)' uses every core"), sink.stderr)
        XCTAssertEqual(s.run("threads \(cores)").1.stderr, "")
    }

    func testResNetRefusesPlainOnlyArguments() {
        let s = LabFixture.session()
        let before = s.state.lab.slots.map(\.name)
        for arg in ["depth=5", "width=32"] {
            let e = LabFixture.error(s, "build resnet18 \(arg)")
            XCTAssertEqual(e?.name, "BadArgument")
            XCTAssertEqual(e?.message, "build resnet18 \(arg.prefix { $0 != "=" })=: \(arg.prefix { $0 != "=" }) applies to 'build plain' only; ResNet-18's layers and widths are fixed by torchvision.")
        }
        XCTAssertEqual(s.state.lab.slots.map(\.name), before)
        XCTAssertEqual(s.run("build plain depth=5 width=8 name=p5").0, .ok)
    }

    func testDataSyntheticReport() {
        let (o, sink) = Session().run("data synthetic train=96 test=48 batch=16 augment=off")
        XCTAssertEqual(o, .ok)
        XCTAssertTrue(sink.stdout.contains("train: 96 images, test: 48 images, 32x32, RGB (3 channels)"), sink.stdout)
        XCTAssertTrue(sink.stdout.contains("batches of 16 (6 per epoch)"))
        XCTAssertTrue(sink.stdout.contains("classes (10): disc, square, ring"))
        XCTAssertFalse(sink.stdout.contains("random crop"))
    }

    func testMissingCIFARIsAClearErrorAndKeepsData() throws {
        let s = LabFixture.session()
        let e = LabFixture.error(s, "data cifar10 root=/nonexistent/data download=off")
        XCTAssertEqual(e?.name, "DataError")
        XCTAssertTrue(e!.message.contains("cifar-10"), e!.message)
        XCTAssertFalse(e!.message.contains("\n"))
        XCTAssertEqual(s.state.lab.data?.kind, "synthetic")
    }

    func testSamplesGrid() {
        let s = LabFixture.session()
        let (o, sink) = s.run("samples")
        XCTAssertEqual(o, .ok)
        XCTAssertEqual(sink.displays.count, 1)
        let b = sink.displays[0].bundle
        XCTAssertTrue(LabFixture.isPNG(b))
        XCTAssertNotNil(b.terminal)
        XCTAssertTrue(b.plain.contains("8 images 32x32 RGB in 2 rows x 4 columns"), b.plain)
        let names = b.plain.components(separatedBy: "columns: ").last!.components(separatedBy: ", ")
        XCTAssertEqual(names.count, 8)
        XCTAssertTrue(names.allSatisfy { s.state.lab.data!.classNames.contains($0) })
    }

    func testParameterCounts() {
        let s = LabFixture.session()
        XCTAssertEqual(s.run("params").1.results.map(\.plain), ["11,181,642"])
        XCTAssertEqual(s.run("build resnet18 name=gray channels=1\nparams gray").1.results.map(\.plain), ["11,175,370"])
        XCTAssertEqual(s.run("build plain\nparams plain").1.results.map(\.plain), ["334,794"])
        let (_, models) = s.run("models")
        XCTAssertTrue(models.stdout.contains("* plain: PlainCNN-10, 334,794 parameters"), models.stdout)
    }

    func testArchitectureAndSummary() {
        let s = LabFixture.session()
        let arch = s.run("arch").1.stdout
        XCTAssertTrue(arch.contains("layer2.0 BasicBlock 64->128, stride 2  [downsample"), arch)
        XCTAssertTrue(arch.contains("fully connected 512 -> 10"))
        let sum = s.run("summary").1.displays[0].bundle
        XCTAssertTrue(sum.plain.contains("Input 1x3x32x32; trainable parameters: 11,181,642"))
        XCTAssertTrue(sum.plain.contains("maxpool"))
        XCTAssertTrue(sum.plain.range(of: #"layer1\.0\s+BasicBlock\s+1x64x8x8\s+73,984"#, options: .regularExpression) != nil, sum.plain)
        XCTAssertNotNil(sum.text["text/html"])
    }

    func testBlockWalkMathMaps() {
        let s = LabFixture.session()
        let block = s.run("block layer1.0").1.stdout
        XCTAssertTrue(block.contains("shortcut: identity"), block)
        XCTAssertTrue(s.run("block layer2.0").1.stdout.contains("downsample conv1x1(64->128, stride 2)"))
        let walk = s.run("walk layer1.0 image=0").1.stdout
        for label in ["input x", "F(x)", "shortcut (identity x)", "F(x) + shortcut"] {
            XCTAssertTrue(walk.contains(label.padding(toLength: 24, withPad: " ", startingAt: 0) + "1x64x8x8"), label + "\n" + walk)
        }
        XCTAssertTrue(s.run("walk layer2.0").1.stdout.contains("shortcut downsample(x)  1x128x4x4"))
        XCTAssertTrue(s.run("math").1.stdout.contains("F(x) = H(x) - x"))
        let maps = s.run("maps layer1.0").1.displays.map(\.bundle)
        XCTAssertEqual(maps.count, 3)
        XCTAssertEqual(maps.map { $0.plain.components(separatedBy: "'")[1] }, ["Identity (x)", "F(x)", "F(x) + x"])
        XCTAssertTrue(maps.allSatisfy { LabFixture.isPNG($0) && $0.plain.contains("channels 0-7 of 64, each 8x8, viridis") })
    }

    func testBadBlockAndWrongModelKeepState() {
        let s = LabFixture.session()
        let e = LabFixture.error(s, "walk layer1.3")
        XCTAssertEqual(e?.name, "BadArgument")
        XCTAssertTrue(e!.message.contains("Did you mean"), e!.message)
        _ = s.run("build plain")
        XCTAssertEqual(LabFixture.error(s, "block layer1.0")?.name, "WrongModel")
        XCTAssertEqual(LabFixture.error(s, "params nosuch")?.name, "NoModel")
        XCTAssertEqual(s.state.lab.current, "plain")
        XCTAssertEqual(s.complete("use ", cursor: 4).matches, ["resnet", "plain", "model="])
        _ = s.run("use resnet")
        XCTAssertEqual(s.complete("walk layer4", cursor: 11).matches, ["layer4.0", "layer4.1"])
    }

    func testNoDataNoModelErrors() {
        let s = Session()
        XCTAssertEqual(LabFixture.error(s, "samples")?.name, "DataNotLoaded")
        XCTAssertEqual(LabFixture.error(s, "params")?.name, "NoModel")
        XCTAssertEqual(LabFixture.error(s, "train epochs=1")?.name, "DataNotLoaded")
    }

    func testFirstLayerFeatureMaps() {
        let s = LabFixture.session()
        let d = s.run("features image=1").1.displays.map(\.bundle)
        XCTAssertEqual(d.count, 1)
        XCTAssertTrue(d[0].plain.hasPrefix("Heat-map grid 'First Layer Feature Maps': channels 0-15 of 64, each 16x16"), d[0].plain)
        XCTAssertTrue(LabFixture.isPNG(d[0]))
        XCTAssertEqual(LabFixture.error(s, "features image=48")?.name, "BadArgument")
    }

    func testDemoFigure() {
        let d = Session().run("demo-figure").1.displays
        XCTAssertEqual(d.count, 1)
        XCTAssertTrue(LabFixture.isPNG(d[0].bundle))
        XCTAssertFalse(d[0].bundle.plain.isEmpty)
    }
}
