import Foundation

/// A JSON object as Foundation's JSONSerialization reads and writes it.
public typealias JSONObject = [String: Any]

/// JSON encoding and decoding helpers for message frames.
public enum JSON {
    /// Errors from decoding a frame.
    public enum DecodeError: Error, CustomStringConvertible {
        case notAnObject(String)
        public var description: String {
            switch self { case .notAnObject(let what): return "\(what) is not a JSON object" }
        }
    }

    /// Serializes an object to compact UTF-8 JSON with sorted keys.
    public static func encode(_ object: JSONObject) -> Data {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            // A programming error in a reply: send an object that says so rather than crash the kernel.
            KernelLog.error("invalid JSON object dropped: \(object)")
            return Data("{}".utf8)
        }
        return data
    }

    /// Parses a frame that must hold a JSON object; `what` names it in errors.
    public static func decode(_ data: Data, what: String) throws -> JSONObject {
        if data.isEmpty { return [:] }
        guard let object = try JSONSerialization.jsonObject(with: data, options: []) as? JSONObject else {
            throw DecodeError.notAnObject(what)
        }
        return object
    }

    /// Reads a boolean value that JSON may carry as Bool or NSNumber.
    public static func bool(_ value: Any?, default fallback: Bool) -> Bool {
        if let b = value as? Bool { return b }
        if let n = value as? NSNumber { return n.boolValue }
        return fallback
    }

    /// Reads an integer value that JSON may carry as Int, Double or NSNumber.
    public static func int(_ value: Any?) -> Int? {
        if let i = value as? Int { return i }
        if let n = value as? NSNumber { return n.intValue }
        return nil
    }
}

/// Kernel diagnostics on stderr (Jupyter shows the kernel's stderr in its log).
public enum KernelLog {
    private static let lock = NSLock()
    /// Whether debug lines are printed (SWIFT_LAB_KERNEL_DEBUG=1).
    public static let debugEnabled = ProcessInfo.processInfo.environment["SWIFT_LAB_KERNEL_DEBUG"] == "1"

    /// Writes one line to stderr, prefixed with the kernel's name.
    public static func error(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data("[swift-lab kernel] \(line)\n".utf8))
    }

    /// Writes a line only when debugging is on.
    public static func debug(_ line: @autoclosure () -> String) {
        if debugEnabled { error(line()) }
    }
}
