import Foundation

/// The kernel's input history: (session, line, input, output) entries, in memory and optionally in a file.
///
/// Sessions are numbered from 1; each kernel start is a new session. With a
/// file, earlier sessions' entries are loaded at start and each new entry is
/// appended as one JSON line.
public final class HistoryStore: @unchecked Sendable {
    /// One stored cell.
    public struct Entry: Equatable, Sendable {
        public var session: Int
        public var line: Int
        public var input: String
        public var output: String?
    }

    private var entries: [Entry] = []
    private let file: URL?
    private let lock = NSLock()
    /// This kernel run's session number.
    public let session: Int

    /// Creates a store; with `file`, loads earlier sessions from it and appends to it.
    public init(file: URL? = nil) {
        self.file = file
        var loaded: [Entry] = []
        if let file, let text = try? String(contentsOf: file, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let object = try? JSON.decode(Data(line.utf8), what: "history line"),
                      let s = JSON.int(object["session"]), let n = JSON.int(object["line"]),
                      let input = object["input"] as? String else { continue }
                loaded.append(Entry(session: s, line: n, input: input, output: object["output"] as? String))
            }
        }
        entries = loaded
        session = (loaded.map(\.session).max() ?? 0) + 1
    }

    /// Records cell `line` of this session.
    public func add(line: Int, input: String) {
        lock.lock(); defer { lock.unlock() }
        entries.append(Entry(session: session, line: line, input: input, output: nil))
        persist(entries[entries.count - 1])
    }

    /// Attaches the plain-text result of cell `line` of this session.
    public func setOutput(line: Int, output: String) {
        lock.lock(); defer { lock.unlock() }
        if let i = entries.lastIndex(where: { $0.session == session && $0.line == line }) {
            entries[i].output = output
        }
    }

    private func persist(_ entry: Entry) {
        guard let file else { return }
        var object: JSONObject = ["session": entry.session, "line": entry.line, "input": entry.input]
        if let o = entry.output { object["output"] = o }
        var data = JSON.encode(object)
        data.append(0x0a)
        if let handle = try? FileHandle(forWritingTo: file) {
            handle.seekToEndOfFile(); handle.write(data); try? handle.close()
        } else {
            try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? data.write(to: file)
        }
    }

    /// The last `n` entries, oldest first.
    public func tail(_ n: Int) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        return Array(entries.suffix(max(0, n)))
    }

    /// Entries of `session` (0 or less: relative to this one) with line numbers in start..<stop (stop 0: to the end).
    public func range(session requested: Int, start: Int, stop: Int) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        let s = requested <= 0 ? session + requested : requested
        return entries.filter { $0.session == s && $0.line >= start && (stop <= 0 || $0.line < stop) }
    }

    /// Entries whose input matches the glob `pattern` (* and ?), newest `n` (nil: all); `unique` drops repeated inputs.
    public func search(pattern: String, n: Int?, unique: Bool) -> [Entry] {
        lock.lock(); defer { lock.unlock() }
        var matched = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            var kept: [Entry] = []
            for e in matched.reversed() where seen.insert(e.input).inserted { kept.append(e) }
            matched = kept.reversed()
        }
        if let n { matched = Array(matched.suffix(max(0, n))) }
        return matched
    }
}
