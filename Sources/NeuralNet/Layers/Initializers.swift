import Foundation
import TensorEngine

/// PyTorch's parameter initializations, drawn from a `SeededRandom`.
///
/// Values are drawn in PyTorch's element order (OIHW for conv weights) and
/// written into the engine layout, so a given seed gives the same tensor
/// whatever the storage layout.
public enum Initializers {
    /// Fills `p` with `draw()` in PyTorch element order.
    static func fill(_ p: Parameter, _ draw: () -> Float) {
        switch p.layout {
        case .same:
            for i in 0..<p.count { p.value.data[i] = draw() }
        case .convOHWI:
            let s = p.value.shape
            let (o, kh, kw, ci) = (s[0], s[1], s[2], s[3])
            for a in 0..<o { for i in 0..<ci { for y in 0..<kh { for x in 0..<kw {
                p.value.data[((a * kh + y) * kw + x) * ci + i] = draw()
            } } } }
        }
    }

    /// fan_in of a weight as PyTorch computes it (`in * kh * kw`, or `in` for Linear).
    public static func fanIn(_ p: Parameter) -> Int {
        let t = p.torchShape
        return t.dropFirst().reduce(1, *)
    }

    /// fan_out (`out * kh * kw`, or `out` for Linear).
    public static func fanOut(_ p: Parameter) -> Int {
        let t = p.torchShape
        return t[0] * t.dropFirst(2).reduce(1, *)
    }

    /// `nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")`: N(0, 2 / fan_out).
    public static func kaimingNormalFanOut(_ w: Parameter, rng: inout SeededRandom) {
        let std = Float((2.0 / Double(fanOut(w))).squareRoot())
        fill(w) { rng.normal() * std }
    }

    /// PyTorch's default Conv2d / Linear init: weight kaiming_uniform(a = sqrt(5)) = U(+-1/sqrt(fan_in)),
    /// bias U(+-1/sqrt(fan_in)).
    public static func pytorchDefault(weight: Parameter, bias: Parameter?, rng: inout SeededRandom) {
        let bound = Float(1.0 / Double(fanIn(weight)).squareRoot())
        fill(weight) { rng.uniform(-bound, bound) }
        if let bias { fill(bias) { rng.uniform(-bound, bound) } }
    }

    /// Sets every element to `value`.
    public static func constant(_ p: Parameter, _ value: Float) { p.value.fill(value) }
}
