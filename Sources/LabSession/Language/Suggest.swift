/// Nearest-name suggestions for misspelled commands, arguments and values.
enum Suggest {
    /// Levenshtein distance between two strings (case-insensitive).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The candidate closest to `word`, if it is close enough to be a likely typo
    /// (distance at most a third of the longer name, at least 2), or a unique prefix match.
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        let prefixed = candidates.filter { $0.hasPrefix(word.lowercased()) }
        if !word.isEmpty, prefixed.count == 1 { return prefixed[0] }
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word, c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (name, d) = best else { return nil }
        let limit = Swift.max(2, Swift.max(word.count, name.count) / 3)
        return d <= limit ? name : nil
    }

    /// " Did you mean 'x'?" or "" when nothing is close.
    static func hint(_ word: String, in candidates: [String]) -> String {
        guard let n = nearest(word, in: candidates) else { return "" }
        return " Did you mean '\(n)'?"
    }
}
