import XCTest

/// `swift-lab run`: the whole lab on synthetic data, determinism, errors, notebooks.
final class PlayerTests: XCTestCase {
    static let lab = "Notebooks/resnet-lab.lab"

    /// Numbers that depend on timing (seconds) are masked for comparison.
    func masked(_ s: String) -> String {
        s.replacingOccurrences(of: #"\d+\.\ds"#, with: "T", options: .regularExpression)
    }

    func testWholeLabOnSyntheticDataAndReplayIsDeterministic() throws {
        let out = try AppSupport.tempDir()
        let first = try AppSupport.run(["run", Self.lab, "--out", out.path] + AppSupport.quick)
        XCTAssertEqual(first.status, 0, first.err)
        let t = first.out
        for expected in ["precision: float32", "train: 96 images, test: 48 images", "Image grid 'Training samples': 8 images",
                         "built resnet: ResNet-18, 3 input channels, 10 classes, 11,181,642 trainable parameters",
                         "Input 1x3x32x32; trainable parameters: 11,181,642", "layer1.0: BasicBlock(64 -> 64, stride 1)",
                         "F(x)                    1x64x8x8", "F(x) + shortcut         1x64x8x8",
                         "Heat-map grid 'Identity (x)'", "Heat-map grid 'F(x) + x'", "\n11,181,642\n",
                         "optimizer: Adam lr=0.001 betas=(0.9, 0.999) eps=1e-08", "\nepoch 1  loss ",
                         "test accuracy of resnet:", "'First Layer Feature Maps': channels 0-15 of 64",
                         "\n334,794\n", "PlainCNN-10: loss", "PlainCNN-20: loss", "smaller than the ResNet's"] {
            XCTAssertTrue(t.contains(expected), "missing: \(expected)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        for stem in ["samples.png", "maps-identity.png", "maps-residual.png", "maps-sum.png", "first-layer-maps.png",
                     "training-curves.svg", "gradients.svg", "confusion-matrix.html", "summary.html"] {
            XCTAssertTrue(files.contains { $0.hasSuffix("-" + stem) }, "no figure \(stem) in \(files)")
        }
        let second = try AppSupport.run(["run", Self.lab] + AppSupport.quick)
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(masked(first.out), masked(second.out))
    }

    func testRecordedSessionReplaysToTheSameNumbers() throws {
        let dir = try AppSupport.tempDir()
        let script = dir.appendingPathComponent("s.lab"), rec = dir.appendingPathComponent("rec.lab")
        try """
        seed 5
        threads 2
        let n=64
        data synthetic train=${n} test=32 batch=16
        help train
        build plain depth=3 width=8
        optimizer sgd lr=0.05
        train epochs=2
        evaluate details=off
        """.write(to: script, atomically: true, encoding: .utf8)
        let first = try AppSupport.run(["run", script.path, "--record", rec.path])
        XCTAssertEqual(first.status, 0, first.err)
        let recorded = try String(contentsOf: rec, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(recorded, ["seed 5", "threads 2", "let n=64", "data synthetic train=64 test=32 batch=16",
                                  "build plain depth=3 width=8", "optimizer sgd lr=0.05", "train epochs=2", "evaluate details=off"])
        let replay = try AppSupport.run(["run", rec.path])
        XCTAssertEqual(replay.status, 0, replay.err)
        let firstLines = masked(first.out).split(separator: "\n").filter { !$0.hasPrefix("train ") && !$0.hasPrefix("  ") && !$0.hasPrefix("help") }
        XCTAssertTrue(masked(first.out).contains("epoch 2  loss"))
        XCTAssertEqual(firstLines.filter { $0.hasPrefix("epoch") || $0.hasPrefix("test accuracy") },
                       masked(replay.out).split(separator: "\n").filter { $0.hasPrefix("epoch") || $0.hasPrefix("test accuracy") })
    }

    func testFailingLineExitsNonZeroWithPlace() throws {
        let dir = try AppSupport.tempDir()
        let f = dir.appendingPathComponent("bad.lab")
        try "echo one\n# comment\nseed 1\ntrian epochs=1\necho never\n".write(to: f, atomically: true, encoding: .utf8)
        let r = try AppSupport.run(["run", f.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "one\nseed 1\n")
        XCTAssertTrue(r.err.contains("UnknownCommand at \(f.path):4: unknown command 'trian'. Did you mean 'train'?"), r.err)
        XCTAssertTrue(r.err.contains("    trian epochs=1"))
    }

    /// libcurl is loaded only for a download: without it, `data cifar10` says what is missing, in one line,
    /// and the rest of the lab (which never downloads) is unaffected. No network is touched.
    func testMissingLibcurlIsAClearErrorOnlyWhenDownloading() throws {
        let dir = try AppSupport.tempDir()
        let f = dir.appendingPathComponent("dl.lab")
        try "data synthetic train=32 test=16\ndata cifar10 root=\(dir.path)/data\n".write(to: f, atomically: true, encoding: .utf8)
        let r = try AppSupport.run(["run", f.path], environment: ["SWIFT_LAB_LIBCURL": "/nonexistent/libcurl-missing.so"])
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.out.contains("train: 32 images, test: 16 images"), r.out)
        XCTAssertTrue(r.err.contains("DataError at \(f.path):2: could not download cifar-10-binary.tar.gz (downloading needs libcurl (/nonexistent/libcurl-missing.so: cannot open shared object file"), r.err)
        XCTAssertTrue(r.err.contains("apt-get install libcurl4"), r.err)
        XCTAssertEqual(r.err.split(separator: "\n").count, 2, "one message line and the failing line: \(r.err)")
    }

    func testNotebookIsExecutedWithOutputs() throws {
        let dir = try AppSupport.tempDir()
        let nb = dir.appendingPathComponent("small.ipynb")
        let lab = dir.appendingPathComponent("small.lab")
        try "#| # Small\n\nversion\necho hi\n\ndata synthetic train=32 test=16\nbuild resnet18\nparams\nsamples\n".write(to: lab, atomically: true, encoding: .utf8)
        XCTAssertEqual(try AppSupport.run(["notebook", lab.path, "-o", nb.path]).status, 0)
        let out = dir.appendingPathComponent("out")
        let r = try AppSupport.run(["run", nb.path, "--out", out.path])
        XCTAssertEqual(r.status, 0, r.err)
        let executed = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("small.ipynb"))) as! [String: Any]
        let cells = executed["cells"] as! [[String: Any]]
        let code = cells.filter { $0["cell_type"] as? String == "code" }
        XCTAssertEqual(code.map { $0["execution_count"] as? Int }, [1, 2])
        let first = code[0]["outputs"] as! [[String: Any]]
        XCTAssertEqual(first.map { $0["output_type"] as! String }, ["execute_result", "stream"])
        XCTAssertEqual((first[0]["data"] as! [String: Any])["text/plain"] as? String, "swift-lab 0.1.0")
        let second = code[1]["outputs"] as! [[String: Any]]
        XCTAssertTrue(second.contains { ($0["data"] as? [String: Any])?["text/plain"] as? String == "11,181,642" })
        XCTAssertTrue(second.contains { ($0["data"] as? [String: Any])?["image/png"] != nil })
    }

    /// SIGINT (Ctrl-C in a terminal) stops `swift-lab run` between training steps: status 130, model kept.
    func testSIGINTStopsTrainingBetweenSteps() throws {
        let dir = try AppSupport.tempDir()
        let f = dir.appendingPathComponent("long.lab")
        try "data synthetic train=4096 test=16 batch=16\nbuild resnet18\ntrain epochs=50\necho never\n"
            .write(to: f, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = AppSupport.binary
        p.arguments = ["run", f.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        let seen = AppSupport.Collected()
        out.fileHandleForReading.readabilityHandler = { h in seen.append(h.availableData) }
        try p.run()
        func text() -> String { seen.text }
        let deadline = Date().addingTimeInterval(120)
        while !text().contains("training resnet"), p.isRunning, Date() < deadline { usleep(20_000) }
        usleep(300_000)
        p.interrupt()
        let sent = Date()
        while p.isRunning, Date().timeIntervalSince(sent) < 60 { usleep(20_000) }
        if p.isRunning { p.terminate(); XCTFail("swift-lab run did not stop within 60 s of SIGINT: \(text())"); return }
        out.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(p.terminationStatus, 130, text())
        XCTAssertTrue(text().contains("training interrupted in epoch 1 after "), text())
        XCTAssertFalse(text().contains("never"), text())
    }
}
