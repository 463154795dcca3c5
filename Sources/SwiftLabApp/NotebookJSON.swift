import Foundation

/// Writes JSON the way Jupyter does: one-space indent, sorted keys, `"key": value`, `{}`/`[]` when empty,
/// UTF-8 kept as is. Deterministic, so a converted notebook can be compared byte for byte.
enum NotebookJSON {
    static func encode(_ value: Any) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: Any, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent + 1)
        let close = String(repeating: " ", count: indent)
        switch value {
        case let s as String:
            out += quote(s)
        case let b as Bool:
            out += b ? "true" : "false"
        case let i as Int:
            out += String(i)
        case let d as Double:
            out += d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case is NSNull:
            out += "null"
        case let a as [Any]:
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += pad
                write(v, indent: indent + 1, into: &out)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += close + "]"
        case let d as [String: Any]:
            if d.isEmpty { out += "{}"; return }
            out += "{\n"
            let keys = d.keys.sorted()
            for (i, k) in keys.enumerated() {
                out += pad + quote(k) + ": "
                write(d[k]!, indent: indent + 1, into: &out)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += close + "}"
        default:
            out += quote("\(value)")
        }
    }

    static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
            }
        }
        return r + "\""
    }
}
