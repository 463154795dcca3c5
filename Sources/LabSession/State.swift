import Foundation
import TensorEngine

/// Everything a session holds between commands.
///
/// Lab commands keep their own pieces here (data, models, optimizer, history);
/// this file holds the language-level state: variables, recording, figure files.
final class LabState {
    /// Script variables, substituted as `${name}`.
    var variables: [String: String] = [:]
    /// Variables fixed from outside (`--set`), which `let` leaves alone.
    var overrides: [String: String] = [:]
    /// The seed every random source derives from.
    var seed: UInt64 = 0
    /// Where figures are written as files, if anywhere.
    var figureDirectory: URL?
    private var figureCount = 0
    /// The `.lab` file successful commands are appended to.
    private(set) var recordPath: String?
    /// Lab pieces (data, models, optimizer, training history).
    let lab = LabPieces()

    /// Replaces every `${name}` in `line` with the variable's value.
    func substitute(_ line: String) throws -> String {
        guard line.contains("${") else { return line }
        var out = ""
        var rest = Substring(line)
        while let r = rest.range(of: "${") {
            out += rest[..<r.lowerBound]
            guard let close = rest[r.upperBound...].firstIndex(of: "}") else {
                throw LabError("BadSyntax", "'${' without a closing '}'.")
            }
            let name = String(rest[r.upperBound..<close])
            guard let v = variables[name] else {
                throw LabError("UnknownVariable", "no variable '\(name)'; set one with: let \(name)=VALUE."
                    + Suggest.hint(name, in: Array(variables.keys)))
            }
            out += v
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// Starts (or with nil stops) appending successful commands to a `.lab` file.
    func startRecording(_ path: String?) throws {
        guard let path else { recordPath = nil; return }
        let url = URL(fileURLWithPath: path)
        if !FileManager.default.fileExists(atPath: path) {
            let dir = url.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data("# swift-lab session recorded \(Date())\n".utf8)) else {
                throw LabError("FileError", "cannot create the record file '\(path)'.")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw LabError("FileError", "cannot write to the record file '\(path)'.")
        }
        recordPath = path
    }

    /// Appends one line to the record file, if recording.
    func record(_ line: String) {
        guard let p = recordPath, let h = FileHandle(forWritingAtPath: p) else { return }
        h.seekToEndOfFile()
        h.write(Data((line + "\n").utf8))
        try? h.close()
    }

    /// Sets the figure folder (nil: stop writing figures), creating it; a folder that cannot be
    /// made or written is refused here rather than failing silently at the first figure.
    func setFigureDirectory(_ path: String?) throws {
        guard let path else { figureDirectory = nil; return }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw LabError("FileError", "'\(path)' is a file, not a folder; give a folder for the figures.")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LabError("FileError", "cannot create the figure folder '\(path)'; give a folder you can write to.")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw LabError("FileError", "cannot write into the figure folder '\(path)'; give a folder you can write to.")
        }
        figureDirectory = URL(fileURLWithPath: path)
    }

    /// Writes a figure's PNG / SVG / HTML to the figure folder, numbered in order.
    func saveFigure(_ bundle: MIMEBundle) {
        guard let dir = figureDirectory, bundle.binary["image/png"] != nil || !bundle.text.isEmpty else { return }
        figureCount += 1
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let stem = String(format: "%03d-", figureCount) + (bundle.name ?? "figure")
        if let png = bundle.binary["image/png"] { try? png.write(to: dir.appendingPathComponent(stem + ".png")) }
        if let svg = bundle.text["image/svg+xml"] { try? svg.write(to: dir.appendingPathComponent(stem + ".svg"), atomically: true, encoding: .utf8) }
        if let html = bundle.text["text/html"] { try? html.write(to: dir.appendingPathComponent(stem + ".html"), atomically: true, encoding: .utf8) }
    }
}
