import Foundation

/// One-line pictures of a series for text/plain fallbacks.
public enum Sparkline {
    /// Eight block heights, lowest first.
    static let blocks: [Character] = ["\u{2581}", "\u{2582}", "\u{2583}", "\u{2584}",
                                      "\u{2585}", "\u{2586}", "\u{2587}", "\u{2588}"]
    /// Eight ASCII levels, lowest first.
    static let asciiLevels: [Character] = ["_", ".", "-", "~", "=", "+", "*", "#"]

    /// The series as Unicode block characters, one per value (values averaged in groups when
    /// there are more than `maxWidth`); non-finite values show as spaces.
    public static func unicode(_ values: [Double], log: Bool = false, maxWidth: Int = 60) -> String {
        render(values, levels: blocks, log: log, maxWidth: maxWidth)
    }

    /// The same with ASCII characters `_.-~=+*#`.
    public static func ascii(_ values: [Double], log: Bool = false, maxWidth: Int = 60) -> String {
        render(values, levels: asciiLevels, log: log, maxWidth: maxWidth)
    }

    private static func render(_ values: [Double], levels: [Character], log: Bool, maxWidth: Int) -> String {
        var v = values.map { x -> Double in
            guard x.isFinite else { return .nan }
            if log { return x > 0 ? log10(x) : .nan }
            return x
        }
        if v.count > maxWidth && maxWidth > 0 {
            v = (0..<maxWidth).map { i in
                let a = i * v.count / maxWidth, b = max(a + 1, (i + 1) * v.count / maxWidth)
                let group = v[a..<b].filter { $0.isFinite }
                return group.isEmpty ? .nan : group.reduce(0, +) / Double(group.count)
            }
        }
        let finite = v.filter { $0.isFinite }
        guard let lo = finite.min(), let hi = finite.max() else { return String(repeating: " ", count: v.count) }
        let span = hi - lo
        return String(v.map { x -> Character in
            guard x.isFinite else { return " " }
            let t = span > 0 ? (x - lo) / span : 0.5
            return levels[min(levels.count - 1, Int(t * Double(levels.count - 1) + 0.5))]
        })
    }
}

/// Horizontal text bars: "########....  " proportional to a fraction.
public enum TextBar {
    /// A bar `width` characters wide filled to `fraction` (clamped to [0, 1]).
    public static func bar(_ fraction: Double, width: Int = 20, filled: Character = "#", empty: Character = ".") -> String {
        let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let n = Int((f * Double(width)).rounded())
        return String(repeating: filled, count: n) + String(repeating: empty, count: width - n)
    }
}
