import Foundation
import XCTest
@testable import LabSession

/// Every command of the table with missing, extra, misspelled, out-of-range and wrong-typed
/// arguments, on a session with no data or model, and with mismatched shapes: each gives one
/// clear line, the session keeps working and every model is bit-for-bit unchanged.
final class BadInputTableTests: XCTestCase {
    /// One bad line and what its error must say.
    struct Case { let line: String; let name: String; let says: [String] }

    /// A value of `a`'s type that the parser accepts.
    static func sample(_ a: ArgumentSpec) -> String {
        switch a.type {
        case .int(let r): return String(r?.lowerBound ?? 1)
        case .double(let r): return r.map { ArgType.fmt($0.lowerBound) } ?? "0.5"
        case .bool: return "off"
        case .choice(let c): return c[0]
        case .text: return "x"
        case .path: return "/nonexistent-swift-lab/x"
        case .model: return "resnet"
        case .layer: return "layer1.0"
        case .command: return "help"
        case .rest: return "x"
        }
    }

    /// The bad lines generated for one command from its declaration.
    static func cases(_ spec: CommandSpec) -> [Case] {
        var out: [Case] = []
        let n = spec.name
        var typo = String(n.dropLast()) + (n.last == "q" ? "z" : "q")
        if CommandTable.byName[typo] != nil { typo = n + "zz" }
        out.append(Case(line: typo, name: "UnknownCommand", says: ["unknown command '\(typo)'", "help"]))
        let restPositional = spec.positional.flatMap(spec.argument).map { if case .rest = $0.type { return true }; return false } ?? false
        if restPositional { return out }
        out.append(Case(line: "\(n) zzbogus=1", name: "UnknownArgument", says: ["'\(n)' has no argument 'zzbogus'"]))
        if let p = spec.positional, let a = spec.argument(p) {
            out.append(Case(line: "\(n) \(sample(a)) \(sample(a))", name: "BadArgument", says: ["one too many"]))
        } else {
            out.append(Case(line: "\(n) stray", name: "BadArgument", says: ["does not take a bare word 'stray'"]))
        }
        if let req = spec.arguments.first(where: \.required) {
            out.append(Case(line: n, name: "MissingArgument", says: ["'\(n)' needs \(req.name)=", "Usage: \(n)"]))
        }
        for a in spec.arguments {
            let k = a.name
            out.append(Case(line: "\(n) \(k)=\(sample(a)) \(k)=\(sample(a))", name: "BadArgument", says: ["'\(k)' is given twice"]))
            switch a.type {
            case .int(let r):
                out.append(Case(line: "\(n) \(k)=abc", name: "BadArgument", says: ["\(n) \(k)='abc'", "whole number"]))
                out.append(Case(line: "\(n) \(k)=1.5", name: "BadArgument", says: ["whole number"]))
                out.append(Case(line: "\(n) \(k)=99999999999999999999999", name: "BadArgument", says: ["whole number"]))
                if let r {
                    out.append(Case(line: "\(n) \(k)=\(r.upperBound + 1)", name: "BadArgument", says: ["must be in \(r.lowerBound)...\(r.upperBound)"]))
                    out.append(Case(line: "\(n) \(k)=\(r.lowerBound - 1)", name: "BadArgument", says: ["must be in"]))
                }
            case .double(let r):
                for bad in ["abc", "nan", "inf", "1e999"] {
                    out.append(Case(line: "\(n) \(k)=\(bad)", name: "BadArgument", says: ["\(n) \(k)='\(bad)'", "expected a number"]))
                }
                if let r {
                    out.append(Case(line: "\(n) \(k)=\(r.upperBound + 1)", name: "BadArgument", says: ["must be in"]))
                    out.append(Case(line: "\(n) \(k)=\(r.lowerBound - 1)", name: "BadArgument", says: ["must be in"]))
                }
            case .bool:
                out.append(Case(line: "\(n) \(k)=maybe", name: "BadArgument", says: ["\(n) \(k)='maybe'", "on or off"]))
            case .choice(let options):
                let wrong = options[0] + "x"
                out.append(Case(line: "\(n) \(k)=\(wrong)", name: "BadArgument", says: ["expected one of", "Did you mean '\(options[0])'?"]))
            default:
                continue
            }
        }
        return out
    }

    func testEveryCommandRefusesBadArgumentsAndChangesNothing() {
        let s = LabFixture.session()
        XCTAssertEqual(s.run("train epochs=1 batches=1").0, .ok)
        let before = SessionSnapshot(s)
        var total = 0
        for spec in CommandTable.all {
            let cases = Self.cases(spec)
            XCTAssertGreaterThanOrEqual(cases.count, 1, spec.name)
            for c in cases {
                total += 1
                guard case .failed(let e) = s.run(c.line).0 else {
                    XCTFail("'\(c.line)' did not fail"); continue
                }
                XCTAssertEqual(e.name, c.name, "'\(c.line)': \(e.message)")
                XCTAssertFalse(e.message.contains("\n"), "'\(c.line)' gives more than one line: \(e.message)")
                for part in c.says { XCTAssertTrue(e.message.contains(part), "'\(c.line)': '\(e.message)' lacks '\(part)'") }
                XCTAssertEqual(e.source, c.line)
            }
        }
        XCTAssertGreaterThan(total, 150, "the table generates cases for every command")
        XCTAssertEqual(SessionSnapshot(s), before, "a refused line changed the session")
        XCTAssertEqual(s.run("train epochs=1 batches=1").0, .ok, "the session still trains")
    }

    /// On a session with nothing loaded every command either works or says what to load first.
    func testEveryCommandBeforeDataOrModel() {
        let dir = robustnessTempDir("fresh")
        defer { try? FileManager.default.removeItem(atPath: dir); _ = Session().run("threads 2") }
        var needsSomething = 0
        for spec in CommandTable.all {
            let s = Session()
            var line = spec.name
            for a in spec.arguments where a.required {
                switch (spec.name, a.name) {
                case ("record", _), ("figures", _): line += " \(dir)/\(spec.name)"
                case ("data", _): line += " cifar10 root=\(dir) download=off"
                default: line += (a.name == spec.positional ? " " : " \(a.name)=") + Self.sample(a)
                }
            }
            let (outcome, sink) = s.run(line)
            switch outcome {
            case .ok: continue
            case .interrupted: XCTFail("'\(line)' reported an interrupt")
            case .failed(let e):
                XCTAssertNotEqual(e.name, "InternalError", "'\(line)': \(e.message)")
                XCTAssertFalse(e.message.contains("\n"), "'\(line)': \(e.message)")
                XCTAssertFalse(e.message.isEmpty)
                XCTAssertTrue(sink.stderr.isEmpty || !sink.stderr.contains("Fatal"), "'\(line)'")
                if ["NoModel", "DataNotLoaded"].contains(e.name) {
                    needsSomething += 1
                    XCTAssertTrue(e.message.contains("'build ") || e.message.contains("'data "), "'\(line)': \(e.message)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(needsSomething, 10, "commands that need data or a model say so")
        // CIFAR-10 missing, no download: one line that says where to put which file.
        guard case .failed(let e) = Session().run("data cifar10 root=\(dir) download=off").0 else { return XCTFail() }
        XCTAssertTrue(e.message.contains("cifar-10"), e.message)
    }

    /// A 1-channel model on RGB data and checkpoints of another architecture or class count.
    func testShapeMismatchesAreRefused() throws {
        let s = LabFixture.session()
        let dir = robustnessTempDir("shapes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(s.run("build resnet18 channels=1 name=gray\nbuild resnet18 classes=5 name=five\nbuild plain depth=3 width=8 name=flat\nuse resnet").0, .ok)
        XCTAssertEqual(s.run("save \(dir)/five.safetensors model=five\nsave \(dir)/flat.safetensors model=flat\nsave \(dir)/gray.safetensors model=gray").0, .ok)
        let before = SessionSnapshot(s)
        guard case .failed(let t) = s.run("train epochs=1 batches=1 model=gray").0 else { return XCTFail("gray trained on RGB") }
        XCTAssertEqual(t.name, "WrongModel")
        XCTAssertTrue(t.message.contains("1-channel") && t.message.contains("has 3"), t.message)
        // Every command with a model argument, pointed at the 1-channel model.
        for spec in CommandTable.all where spec.argument("model") != nil && !["save", "load", "use"].contains(spec.name) {
            if case .failed(let e) = s.run("\(spec.name) model=gray").0 {
                XCTAssertNotEqual(e.name, "InternalError", "\(spec.name): \(e.message)")
                XCTAssertFalse(e.message.contains("\n"), "\(spec.name): \(e.message)")
            }
        }
        for (file, says) in [("five", "fc.weight"), ("flat", "safetensors"), ("gray", "conv1.weight")] {
            guard case .failed(let e) = s.run("load \(dir)/\(file).safetensors model=resnet").0 else {
                XCTFail("\(file) loaded into resnet"); continue
            }
            XCTAssertEqual(e.name, "CheckpointError", e.message)
            XCTAssertTrue(e.message.contains(says), e.message)
            XCTAssertFalse(e.message.contains("\n"))
        }
        XCTAssertEqual(SessionSnapshot(s).models, before.models, "a refused command changed a model")
        XCTAssertEqual(s.run("train epochs=1 batches=1").0, .ok)
    }

    /// Truncated, garbage and misplaced checkpoint files: one line each, the session unchanged.
    func testCorruptCheckpointsNeverChangeTheSession() throws {
        let s = LabFixture.session()
        let dir = robustnessTempDir("corrupt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(s.run("train epochs=1 batches=1\nsave \(dir)/good.safetensors\ntrain epochs=1 batches=1").0, .ok)
        let good = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/good.safetensors"))
        let optim = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/good.optim.safetensors"))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: "\(dir)/half.safetensors"))
        try Data((0 ..< 4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: "\(dir)/noise.safetensors"))
        try good.write(to: URL(fileURLWithPath: "\(dir)/badopt.safetensors"))
        try optim.prefix(optim.count - 3).write(to: URL(fileURLWithPath: "\(dir)/badopt.optim.safetensors"))
        try FileManager.default.createDirectory(atPath: "\(dir)/folder.safetensors", withIntermediateDirectories: true)
        let before = SessionSnapshot(s)
        for (file, name) in [("half", "CheckpointError"), ("noise", "CheckpointError"), ("badopt", "CheckpointError"),
                             ("folder", "CheckpointError"), ("missing", "FileNotFound")] {
            guard case .failed(let e) = s.run("load \(dir)/\(file).safetensors").0 else { XCTFail("\(file) loaded"); continue }
            XCTAssertEqual(e.name, name, "\(file): \(e.message)")
            XCTAssertFalse(e.message.contains("\n"), "\(file): \(e.message)")
            XCTAssertTrue(e.message.contains(file), "\(file): \(e.message)")
            XCTAssertEqual(SessionSnapshot(s), before, "\(file) changed the session")
        }
        // A save that cannot write (a folder in the way) leaves that folder and the session alone.
        guard case .failed(let e) = s.run("save \(dir)/folder.safetensors").0 else { return XCTFail("saved over a folder") }
        XCTAssertEqual(e.name, "CheckpointError")
        XCTAssertEqual(SessionSnapshot(s), before)
        XCTAssertEqual(s.run("load \(dir)/good.safetensors\ntrain epochs=1 batches=1").0, .ok)
    }
}
