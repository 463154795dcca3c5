import Foundation
import LabSession

/// `swift-lab repl`: the interactive lab with readline, completion, history, recording and Ctrl-C.
enum REPLFrontEnd {
    static let usage = """
    usage: swift-lab repl [--history FILE] [--record FILE] [--out DIR] [--set name=value]...
      --history FILE   history kept across runs (default ~/.swift_lab_history, or $SWIFT_LAB_HISTORY)
      --record FILE    append every command that succeeds to this .lab script
      --out DIR        also write every figure as a file into DIR
    """

    static func main(_ arguments: [String]) -> Int32 {
        let env = ProcessInfo.processInfo.environment
        var history = env["SWIFT_LAB_HISTORY"] ?? (NSHomeDirectory() + "/.swift_lab_history")
        let session = Session()
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            let v = i + 1 < arguments.count ? arguments[i + 1] : nil
            switch (a, v) {
            case ("--history", let v?): history = v
            case ("--record", let v?):
                do { try session.record(to: v) } catch { Console.error("swift-lab repl: \(error)\n"); return 2 }
            case ("--out", let v?):
                do { try session.writeFigures(to: v) } catch { Console.error("swift-lab repl: --out \(error)\n"); return 2 }
            case ("--set", let v?):
                let kv = v.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { Console.error("swift-lab repl: --set needs name=value\n"); return 2 }
                session.setOverride(kv[0], kv[1])
            case ("-h", _), ("--help", _): print(usage); return 0
            default: Console.error("swift-lab repl: unexpected '\(a)'\n\(usage)\n"); return 2
            }
            i += 2
        }
        REPLReadline.install(session: session)
        REPLReadline.loadHistory(history)
        let sink = TerminalSink()
        print("swift-lab \(Session.languageVersion) — the ResNet lab. 'help' lists commands, Tab completes, Ctrl-C stops training, Ctrl-D quits.")
        while true {
            guard var line = REPLReadline.readLine(prompt: "lab> ") else {
                print("")
                return 0
            }
            while line.hasSuffix("\\") {
                guard let more = REPLReadline.readLine(prompt: "...  ") else { break }
                line += "\n" + more
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            REPLReadline.remember(line.replacingOccurrences(of: "\\\n", with: " "), path: history)
            let outcome = session.execute(line, sink: sink)
            sink.finish()
            switch outcome {
            case .ok: break
            case .failed(let e): sink.report(e)
            case .interrupted(let m): print(m)
            }
        }
    }
}
