import Foundation
import TensorEngine
import XCTest
@testable import LabSession

/// Fuzzes the command language: lexer, variable substitution, argument binding, completion and
/// inspection with random and mutated lines. Nothing crashes; every refusal is one clear line.
final class CommandParserFuzzTests: XCTestCase {
    private var rng = SeededRandom(seed: 41)

    /// Pieces lines are made of: command names, argument names, quotes, `=`, `${`, `\`, `#`, odd Unicode.
    private lazy var atoms: [String] = {
        var a = CommandTable.names + CommandTable.all.flatMap { $0.arguments.map { $0.name + "=" } }
        a += ["=", "==", "\"", "\"a b\"", "${", "}", "${x}", "${nope}", "\\", "#", "#|", " ", "  ", "\t", "\r", "\n", "\\\n",
              "-1", "1e999", "nan", "0x10", "99999999999999999999", "é", "👩‍👩‍👧", "\u{0}", "\u{202E}", "layer1.0", "on", "off"]
        return a
    }()

    private func randomLine() -> String {
        (0 ..< 1 + rng.int(below: 10)).map { _ in atoms[rng.int(below: atoms.count)] }.joined(separator: rng.int(below: 3) == 0 ? "" : " ")
    }

    /// Binds `line` against every command (what execute does after lookup), without running any handler.
    private func bindEverywhere(_ line: String, _ state: LabState) {
        guard let text = try? state.substitute(line) else { return }
        let tokens = Lexer.tokens(text)
        for t in tokens {
            XCTAssertLessThanOrEqual(t.start, t.end)
            XCTAssertLessThanOrEqual(t.end, text.count)
        }
        guard !tokens.isEmpty else { return }
        for spec in CommandTable.all {
            let args = [Token(raw: spec.name, key: nil, value: spec.name, start: 0, end: spec.name.count)] + tokens.dropFirst()
            do {
                _ = try Arguments.bind(spec, tokens: args, line: text)
            } catch let e as LabError {
                XCTAssertFalse(e.message.contains("\n") && !text.contains("\n"), "\(spec.name): \(e.message)")
                XCTAssertFalse(e.message.isEmpty)
            } catch {
                XCTFail("\(spec.name) '\(line)': \(error)")
            }
        }
    }

    func testRandomLinesNeverCrashTheParser() {
        let s = Session()
        s.state.variables["x"] = "epochs=2"
        for _ in 0 ..< 1500 {
            let line = randomLine()
            for source in Lexer.lines(line) { bindEverywhere(source.text, s.state) }
            _ = s.isComplete(line)
            let n = line.count
            for cursor in [0, n / 2, n, rng.int(below: n + 1)] {
                _ = s.complete(line, cursor: cursor)
                _ = s.inspect(line, cursor: cursor)
                _ = s.completesPath(line, cursor: cursor)
            }
        }
    }

    func testOutOfRangeCursorsAreHarmless() {
        let s = Session()
        for line in ["", "train epochs=", "build resnet18 name=\"a b", "é👩‍👩‍👧 x=", "help tr"] {
            for cursor in [-5, -1, line.count + 1, line.count + 100, Int.max] {
                let c = s.complete(line, cursor: cursor)
                XCTAssertLessThanOrEqual(c.start, c.end, "'\(line)' at \(cursor)")
                _ = s.inspect(line, cursor: cursor)
                _ = s.completesPath(line, cursor: cursor)
            }
        }
    }

    /// Mutated real lines run through the whole session (only harmless commands can result).
    func testMutatedLinesThroughExecute() {
        let s = Session()
        let safe: Set<String> = ["help", "version", "echo", "warn", "clear", "let", "vars", "seed", "math", "models", "optimizer"]
        let seeds = ["help train", "echo \"a b\" c", "let a=1 b=${a}", "seed 7", "optimizer adam lr=0.01 beta1=0.8",
                     "optimizer sgd momentum=0.5", "vars", "help optimizer"]
        var failed = 0
        for i in 0 ..< 1500 {
            var chars = Array(seeds[i % seeds.count])
            for _ in 0 ... rng.int(below: 4) {
                let at = rng.int(below: chars.count + 1)
                switch rng.int(below: 3) {
                case 0 where at < chars.count: chars.remove(at: at)
                case 1: chars.insert(contentsOf: Array(atoms[rng.int(below: atoms.count)]), at: at)
                default: if at < chars.count { chars[at] = ["=", "\"", "$", "{", "}", "\\", " ", "#", "x"][rng.int(below: 9)] }
                }
            }
            let line = String(chars)
            guard let first = Lexer.tokens((try? s.state.substitute(line)) ?? line).first?.value,
                  safe.contains(first) || CommandTable.byName[first] == nil, !line.contains("\n") else { continue }
            if case .failed(let e) = s.run(line).0 {
                failed += 1
                XCTAssertNotEqual(e.name, "InternalError", "'\(line)': \(e.message)")
                XCTAssertFalse(e.message.contains("\n"), "'\(line)': \(e.message)")
            }
        }
        XCTAssertGreaterThan(failed, 100)
        XCTAssertEqual(s.run("version").0, .ok)
    }
}
