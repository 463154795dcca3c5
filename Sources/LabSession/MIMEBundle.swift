import Foundation

/// One result in several representations, keyed by MIME type; each front end picks what it can show.
///
/// `text/plain` is always present and says in words what the other
/// representations show. Binary data (`image/png`) is carried as raw bytes in
/// `binary`; text representations (`image/svg+xml`, `text/html`) in `text`.
public struct MIMEBundle: Equatable, Sendable {
    /// The plain-text fallback, always present.
    public var plain: String
    /// Text representations other than text/plain, by MIME type.
    public var text: [String: String]
    /// Binary representations (image/png), by MIME type.
    public var binary: [String: Data]
    /// A file-name stem for front ends that write figures to files ("sample-grid", "feature-maps").
    public var name: String?
    /// A rendering for a 24-bit color terminal (ANSI half-block characters), when the result is an
    /// image; not part of the Jupyter data.
    public var terminal: String?

    public init(plain: String, text: [String: String] = [:], binary: [String: Data] = [:], name: String? = nil,
                terminal: String? = nil) {
        self.plain = plain
        self.text = text
        self.binary = binary
        self.name = name
        self.terminal = terminal
    }

    /// Whether the bundle carries more than text (an image, a chart or a table).
    public var isRich: Bool { !binary.isEmpty || !text.isEmpty }

    /// Every representation as a Jupyter `data` dictionary (binary ones base64-encoded).
    public var jupyterData: [String: String] {
        var d = text
        d["text/plain"] = plain
        for (k, v) in binary { d[k] = v.base64EncodedString() }
        return d
    }
}

/// Where a running command's output goes; each front end renders it its own way.
///
/// Called from the thread that runs the command. Implementations must be cheap
/// and deliver promptly (the kernel publishes each call on iopub at once).
public protocol OutputSink: AnyObject {
    /// Plain text output, like a print; `error` selects stderr.
    func stream(_ text: String, error: Bool)
    /// A rich result. With `displayID`, a later call with `update: true` and the same id
    /// replaces it in place (live training progress).
    func display(_ bundle: MIMEBundle, displayID: String?, update: Bool)
    /// The value a command computed (`params` -> 11,181,642), shown as the cell's result
    /// (Jupyter `execute_result`).
    func result(_ bundle: MIMEBundle)
    /// Clears what the current cell has shown so far; with `wait`, only once new output arrives.
    func clear(wait: Bool)
}
