import Foundation
import LabSession

/// `swift-lab run FILE [--out DIR] [--set name=value ...]`: replays a `.lab` script or a notebook's code cells.
///
/// Prints text results, writes figures into `--out` (numbered, by name) and, for
/// a notebook, the executed notebook with its outputs as `DIR/<name>.ipynb`.
/// Exits 1 at the first failing line (printed with its place), 130 when interrupted.
enum ScriptPlayer {
    static let usage = "usage: swift-lab run FILE|- [--out DIR] [--set name=value[,name=value]]... [--record FILE]"

    static func main(_ arguments: [String]) -> Int32 {
        var file: String?
        var out: String?
        var sets: [(String, String)] = []
        var record: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            func next() -> String? { i += 1; return i < arguments.count ? arguments[i] : nil }
            switch a {
            case "--out", "-o": out = next()
            case "--record": record = next()
            case "--set":
                guard let text = next(), let pairs = Session.parseOverrides(text), !pairs.isEmpty else {
                    Console.error("swift-lab run: --set needs name=value (several: a=1,b=2)\n"); return 2
                }
                sets += pairs
            case "-h", "--help": print(usage); return 0
            default:
                if (a.hasPrefix("-") && a != "-") || file != nil { Console.error("swift-lab run: unexpected '\(a)'\n\(usage)\n"); return 2 }
                file = a
            }
            i += 1
        }
        guard let file else { Console.error(usage + "\n"); return 2 }
        let session = Session()
        for (k, v) in sets { session.setOverride(k, v) }
        if let out {
            do { try session.writeFigures(to: out) } catch { Console.error("swift-lab run: --out \(error)\n"); return 2 }
        }
        if let record {
            do { try session.record(to: record) } catch { Console.error("swift-lab run: \(error)\n"); return 2 }
        }
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler { session.requestInterrupt() }
        interrupts.resume()
        defer { interrupts.cancel() }
        let url = URL(fileURLWithPath: file)
        if url.pathExtension == "ipynb" { return playNotebook(url, session: session, out: out) }
        let stdinText = file == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : nil
        guard let text = stdinText ?? (try? String(contentsOf: url, encoding: .utf8)) else {
            Console.error("swift-lab run: cannot read \(file)\n"); return 2
        }
        let sink = TerminalSink(isTTY: false, showProgress: false)
        switch session.execute(text, sink: sink) {
        case .ok: return 0
        case .failed(let e): sink.report(e, file: file); return 1
        case .interrupted(let m): sink.finish(); Console.error(m + "\n"); return 130
        }
    }

    /// Runs a notebook's code cells in order, writing the executed notebook into `out` (if given).
    static func playNotebook(_ url: URL, session: Session, out: String?) -> Int32 {
        var nb: Notebook
        do { nb = try Notebook(contentsOf: url) } catch { Console.error("swift-lab run: \(error)\n"); return 2 }
        let term = TerminalSink(isTTY: false, showProgress: false)
        let sink = NotebookSink(echo: term)
        var status: Int32 = 0
        var count = 0
        for i in nb.cells.indices where nb.cells[i].kind == "code" {
            count += 1
            sink.reset(executionCount: count)
            let outcome = session.execute(nb.cells[i].source, sink: sink)
            if case .failed(let e) = outcome {
                sink.error(e)
                term.report(e, file: "\(url.lastPathComponent) cell \(i + 1)")
                status = 1
            } else if case .interrupted(let m) = outcome {
                sink.stream(m + "\n", error: true)
                status = 130
            }
            nb.cells[i].outputs = sink.outputs
            nb.cells[i].executionCount = count
            if status != 0 { break }
        }
        if let out {
            let dest = URL(fileURLWithPath: out).appendingPathComponent(url.lastPathComponent)
            try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            do { try nb.json().write(to: dest) } catch { Console.error("swift-lab run: cannot write \(dest.path)\n"); return 2 }
            print("executed notebook written to \(dest.path)")
        }
        return status
    }
}
