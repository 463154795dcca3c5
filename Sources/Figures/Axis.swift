import Foundation

/// One chart axis: its data range, linear or log scale, and where its ticks go.
///
/// Linear axes pad the data range by 5% on each side (matplotlib's margins) and put ticks on
/// "nice" steps (1, 2, 2.5, 5 x 10^k). Log axes (base 10) span whole decades around the data
/// with a major tick and a "1e-4"-style label per decade, plus minor ticks at 2..9 x 10^k.
public struct Axis: Equatable, Sendable {
    public enum Scale: Equatable, Sendable { case linear, log }

    public let scale: Scale
    /// Visible range in data units (both > 0 on a log axis).
    public let lower: Double
    public let upper: Double
    /// Major tick positions in data units, ascending, all within [lower, upper].
    public let ticks: [Double]
    /// Labels of the major ticks.
    public let tickLabels: [String]
    /// Minor tick positions (log axes only).
    public let minorTicks: [Double]

    /// An axis covering `values` (non-finite values, and values <= 0 on a log axis, are ignored).
    /// `fixedLower` / `fixedUpper` pin an end (for example 0 and 100 for percentages);
    /// `wholeSteps` keeps linear ticks on whole numbers (epochs, layer indices: no "1.2").
    public init(covering values: [Double], scale: Scale = .linear, fixedLower: Double? = nil,
                fixedUpper: Double? = nil, padding: Double = 0.05, wholeSteps: Bool = false) {
        self.scale = scale
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        var lo = usable.min() ?? (scale == .log ? 0.1 : 0)
        var hi = usable.max() ?? (scale == .log ? 1 : 1)
        switch scale {
        case .linear:
            if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= max(0.5, abs(lo) * 0.1); hi += max(0.5, abs(hi) * 0.1) }
            let pad = (hi - lo) * padding
            lo = fixedLower ?? (lo - pad)
            hi = fixedUpper ?? (hi + pad)
            var step = Axis.niceStep((hi - lo) / 6)
            if wholeSteps { step = step < 1 ? 1 : (step == step.rounded() ? step : Axis.niceStep(step * 1.0001)) }
            var t = (lo / step).rounded(.up) * step
            var ticks = [Double]()
            while t <= hi + step * 1e-9 {
                ticks.append(abs(t) < step * 1e-9 ? 0 : t)
                t += step
            }
            self.ticks = ticks
            self.tickLabels = ticks.map { Axis.linearLabel($0, step: step) }
            self.minorTicks = []
        case .log:
            let e0 = Int(floor(log10(fixedLower ?? lo) + 1e-9))
            var e1 = Int(ceil(log10(fixedUpper ?? hi) - 1e-9))
            if e1 <= e0 { e1 = e0 + 1 }
            lo = pow(10, Double(e0))
            hi = pow(10, Double(e1))
            let decades = Array(e0...e1)
            // Label every decade, or every 2nd/3rd when there are many.
            let every = max(1, Int(ceil(Double(decades.count) / 8)))
            let major = decades.filter { ($0 - e0) % every == 0 }
            self.ticks = major.map { pow(10, Double($0)) }
            self.tickLabels = major.map { Axis.decadeLabel($0) }
            self.minorTicks = decades.dropLast().flatMap { e in (2...9).map { Double($0) * pow(10, Double(e)) } }
        }
        self.lower = lo
        self.upper = hi
    }

    /// Position of `value` along the axis, 0 at `lower`, 1 at `upper`.
    public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return (log10(max(value, 1e-300)) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// The smallest of 1, 2, 2.5, 5, 10 x 10^k that is >= raw.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, floor(log10(raw)))
        for m in [1, 2, 2.5, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// "1e-4", "1e0", "1e3": the label of 10^e.
    public static func decadeLabel(_ e: Int) -> String { "1e\(e)" }

    /// A tick label with as many decimals as the step needs.
    static func linearLabel(_ v: Double, step: Double) -> String {
        let decimals = max(0, -Int(floor(log10(step) + 1e-9)) + (step / pow(10, floor(log10(step))) == 2.5 ? 1 : 0))
        if abs(v) >= 1e6 || (abs(v) < 1e-4 && v != 0) { return NumberText.short(v) }
        return String(format: "%.\(decimals)f", v)
    }
}

/// Marker, line and fill colors: matplotlib's ten-color cycle ("tab10") by value.
public enum Palette {
    public static let cycle: [RGB] = [
        RGB(hex: 0x1f77b4), RGB(hex: 0xff7f0e), RGB(hex: 0x2ca02c), RGB(hex: 0xd62728), RGB(hex: 0x9467bd),
        RGB(hex: 0x8c564b), RGB(hex: 0xe377c2), RGB(hex: 0x7f7f7f), RGB(hex: 0xbcbd22), RGB(hex: 0x17becf),
    ]

    /// The i-th color of the cycle, wrapping around.
    public static func color(_ i: Int) -> RGB { cycle[i % cycle.count] }
}
