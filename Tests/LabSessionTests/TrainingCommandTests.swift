import XCTest
@testable import LabSession
import NeuralNet

/// A sink that asks for an interrupt once training has shown progress `after` times.
final class InterruptingSink: OutputSink {
    let inner = CollectingSink()
    weak var session: Session?
    var after: Int
    init(session: Session, after: Int) { self.session = session; self.after = after }
    func stream(_ text: String, error: Bool) { inner.stream(text, error: error) }
    func display(_ b: MIMEBundle, displayID: String?, update: Bool) {
        inner.display(b, displayID: displayID, update: update)
        if displayID != nil { after -= 1; if after == 0 { session?.requestInterrupt() } }
    }
    func result(_ b: MIMEBundle) { inner.result(b) }
    func clear(wait: Bool) {}
}

/// §7, §8, §10 and checkpoints on real values.
final class TrainingCommandTests: XCTestCase {
    func testOptimizerDefaultsAndValidation() {
        let s = LabFixture.session()
        XCTAssertEqual(s.run("optimizer").1.stdout, "optimizer: Adam lr=0.001 betas=(0.9, 0.999) eps=1e-08 weight-decay=0\n")
        XCTAssertEqual(LabFixture.error(s, "optimizer sgd beta1=0.5")?.name, "BadArgument")
        XCTAssertEqual(LabFixture.error(s, "optimizer adam lr=-1")?.name, "BadArgument")
        XCTAssertEqual(LabFixture.error(s, "optimizer adamw")?.message.contains("Did you mean 'adam'?"), true)
        XCTAssertEqual(s.state.lab.optimizer, OptimizerSettings())
        XCTAssertEqual(s.run("optimizer sgd lr=0.05 momentum=0.8").1.stdout, "optimizer: SGD lr=0.05 momentum=0.8 weight-decay=0\n")
    }

    func testTrainPrintsEpochLinesAndLiveProgress() {
        let s = LabFixture.session()
        let (o, sink) = s.run("train epochs=2 batches=2")
        XCTAssertEqual(o, .ok)
        let lines = sink.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        XCTAssertEqual(lines.count, 2, sink.stdout)
        XCTAssertTrue(lines[0].range(of: #"^epoch 1  loss \d+\.\d{4}  train accuracy \d+\.\d\d%  \d+\.\ds$"#, options: .regularExpression) != nil, String(lines[0]))
        let loss = LabFixture.number(after: "loss", in: String(lines[0]))!
        XCTAssertTrue(loss > 0.5 && loss < 10, "\(loss)")
        let progress = sink.displays.filter { $0.id != nil }
        XCTAssertGreaterThanOrEqual(progress.count, 4)
        XCTAssertFalse(progress[0].update)
        XCTAssertTrue(progress.dropFirst().allSatisfy(\.update))
        XCTAssertEqual(Set(progress.map(\.id)).count, 1)
        XCTAssertTrue(progress.last!.bundle.plain.contains("2/2 batches"))
        XCTAssertEqual(s.state.lab.slot("resnet")!.history.map(\.epoch), [1, 2])
        XCTAssertEqual((s.state.lab.slot("resnet")!.optimizer as? Adam)?.stepCount, 4)
        let curve = s.run("curve").1.displays[0].bundle
        XCTAssertNotNil(curve.text["image/svg+xml"])
        XCTAssertTrue(curve.plain.contains("train loss"), curve.plain)
        let (_, withTest) = s.run("train epochs=1 batches=1 test=on\ncurve")
        XCTAssertTrue(withTest.stdout.range(of: #"epoch 3  loss \d+\.\d{4}  train accuracy \d+\.\d\d%  \d+\.\ds  test accuracy \d+\.\d\d%"#, options: .regularExpression) != nil, withTest.stdout)
        XCTAssertFalse(withTest.displays.last!.bundle.plain.contains("test accuracy"))
    }

    func testInterruptStopsAtBatchAndKeepsModel() {
        let s = LabFixture.session()
        // Progress after every batch (not every 0.25 s), so the third display (start, batch 1, batch 2)
        // asks for the interrupt whatever the speed of the machine: training stops at the next batch
        // boundary with exactly two optimizer steps taken.
        let savedInterval = Trainer.progressInterval
        Trainer.progressInterval = 0
        defer { Trainer.progressInterval = savedInterval }
        let sink = InterruptingSink(session: s, after: 3)
        let outcome = s.execute("train epochs=3", sink: sink)
        guard case .interrupted(let m) = outcome else { return XCTFail("\(outcome)") }
        let done = Int(LabFixture.number(after: "training interrupted in epoch 1 after", in: m) ?? -1)
        XCTAssertEqual(done, 2, m)
        XCTAssertTrue(m.contains("of 6 batches; resnet keeps every update so far"), m)
        let slot = s.state.lab.slot("resnet")!
        XCTAssertEqual((slot.optimizer as? Adam)?.stepCount, Int64(done))
        XCTAssertEqual(slot.epochsDone, 0)
        XCTAssertEqual(s.run("params").1.results.map(\.plain), ["11,181,642"])
        let (o, again) = s.run("train epochs=1 batches=1")
        XCTAssertEqual(o, .ok)
        XCTAssertTrue(again.stdout.contains("epoch 1  loss"))
        XCTAssertEqual((slot.optimizer as? Adam)?.stepCount, Int64(done + 1))
    }

    func testResNetNeedsTwoImagesPerBatch() {
        let s = Session()
        _ = s.run("data synthetic train=16 test=8 batch=1\nbuild resnet18")
        XCTAssertEqual(LabFixture.error(s, "train epochs=1")?.name, "BadBatch")
        XCTAssertEqual(LabFixture.error(s, "gradients depth=3")?.name, "BadBatch")
        XCTAssertEqual(s.run("data synthetic train=17 test=8 batch=4\ntrain epochs=1").0, .ok)
        XCTAssertEqual(s.state.lab.slot("resnet")!.history.last?.batches, 4)
    }

    func testEvaluateAccuracyPerClassConfusion() {
        let s = LabFixture.session()
        let (o, sink) = s.run("evaluate")
        XCTAssertEqual(o, .ok)
        XCTAssertTrue(sink.stdout.range(of: #"test accuracy of resnet: \d+\.\d\d% \(\d+ / 48 correct\), eval mode"#, options: .regularExpression) != nil, sink.stdout)
        XCTAssertTrue(sink.stdout.contains("per-class accuracy:\n  disc"))
        XCTAssertEqual(sink.displays.count, 2)
        XCTAssertNotNil(sink.displays[0].bundle.text["image/svg+xml"])
        XCTAssertTrue(sink.displays[1].bundle.text["text/html"]?.contains("<table") ?? false)
        XCTAssertTrue(sink.displays[1].bundle.plain.contains("48 samples"))
    }

    func testGradientComparison() {
        let s = LabFixture.session()
        let (o, sink) = s.run("build plain\ngradients")
        XCTAssertEqual(o, .ok, "\(o)")
        let text = sink.stdout
        let plain = LabFixture.number(after: "first-layer (features.0.weight) mean |grad|", in: text)!
        let res = LabFixture.number(after: "first-layer (conv1.weight) mean |grad|", in: text)!
        XCTAssertGreaterThan(plain, 0)
        XCTAssertLessThan(plain * 10, res, text)
        XCTAssertTrue(text.contains("smaller than the ResNet's"))
        let chart = sink.displays.last!.bundle
        XCTAssertTrue(chart.plain.contains("log-scale"), chart.plain)
        XCTAssertTrue(chart.plain.contains("PlainCNN-10") && chart.plain.contains("ResNet-18"))
        let deeper = s.run("gradients depth=20").1.stdout
        let plain20 = LabFixture.number(after: "first-layer (features.0.weight) mean |grad|", in: deeper)!
        XCTAssertLessThan(plain20, plain)
        XCTAssertTrue(deeper.contains("PlainCNN-20"))
    }

    func testSaveLoadRoundTripAndBadFile() throws {
        let dir = NSTemporaryDirectory() + "lab-ckpt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = LabFixture.session()
        XCTAssertEqual(s.run("train epochs=1 batches=1\nsave \(dir)/m.safetensors").0, .ok)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/m.optim.safetensors"))
        _ = s.run("build resnet18 name=copy")
        let a = s.state.lab.slot("resnet")!.model.store.values, b = s.state.lab.slot("copy")!.model.store.values
        XCTAssertNotEqual(a.toArray(), b.toArray())
        let (o, sink) = s.run("load \(dir)/m.safetensors model=copy")
        XCTAssertEqual(o, .ok)
        XCTAssertTrue(sink.stdout.contains("with optimizer state"))
        XCTAssertEqual(a.toArray(), b.toArray())
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: dir + "/bad.safetensors"))
        _ = s.run("build resnet18 name=third")
        let before = s.state.lab.slot("third")!.model.store.values.toArray()
        XCTAssertEqual(LabFixture.error(s, "load \(dir)/bad.safetensors")?.name, "CheckpointError")
        XCTAssertEqual(s.state.lab.slot("third")!.model.store.values.toArray(), before)
        XCTAssertEqual(LabFixture.error(s, "load \(dir)/none.safetensors")?.name, "FileNotFound")
    }

    func testSameSeedSameNumbers() {
        func run() -> String {
            let s = Session()
            let out = s.run(LabFixture.setup + "\ntrain epochs=1 batches=2\nevaluate details=off").1.stdout
            return out.replacingOccurrences(of: #"\d+\.\ds"#, with: "Ts", options: .regularExpression)
        }
        let a = run(), b = run()
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.contains("epoch 1  loss"))
    }
}

/// Asks for an interrupt as soon as anything is printed (the command before the one under test).
final class InterruptOnOutputSink: OutputSink {
    let inner = CollectingSink()
    weak var session: Session?
    init(session: Session) { self.session = session }
    func stream(_ text: String, error: Bool) { inner.stream(text, error: error); session?.requestInterrupt() }
    func display(_ b: MIMEBundle, displayID: String?, update: Bool) { inner.display(b, displayID: displayID, update: update) }
    func result(_ b: MIMEBundle) { inner.result(b); session?.requestInterrupt() }
    func clear(wait: Bool) {}
}

extension TrainingCommandTests {
    /// `gradients` stops at an interrupt between its two measurements and changes no weights.
    func testInterruptStopsGradients() {
        let s = LabFixture.session()
        let before = s.state.lab.slot("resnet")!.model.store.values.toArray()
        let outcome = s.execute("params\ngradients depth=3 resnet=resnet", sink: InterruptOnOutputSink(session: s))
        guard case .interrupted(let m) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(m, "gradients interrupted; no weights changed (the measurement zeroes its gradients).")
        XCTAssertEqual(s.state.lab.slot("resnet")!.model.store.values.toArray(), before)
        XCTAssertEqual(s.run("gradients depth=3 resnet=resnet").0, .ok, "the session goes on")
    }
}
