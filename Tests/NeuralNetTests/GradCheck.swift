import XCTest
@testable import NeuralNet
import TensorEngine

/// Finite-difference gradient checks: L = sum(y * r) for a fixed random r, accumulated in Double.
enum GradCheck {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = SeededRandom(seed: seed)
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t[i] = rng.normal() * scale }
        return t
    }

    static func dot(_ y: Tensor, _ r: Tensor) -> Double {
        var s = 0.0
        for i in 0..<y.count { s += Double(y[i]) * Double(r[i]) }
        return s
    }

    /// Evenly spaced sample of at most `limit` indices in 0..<count.
    static func sample(_ count: Int, limit: Int) -> [Int] {
        if count <= limit { return Array(0..<count) }
        return (0..<limit).map { $0 * count / limit + ($0 * 7919) % Swift.max(1, count / limit) }
    }

    /// Checks dL/dx (when `checkInput`) and dL/dp for every parameter against central differences.
    static func check(
        x: Tensor, params: [Parameter], checkInput: Bool = true,
        eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2, limit: Int = 48, maxSkippedFraction: Double = 0.25,
        forward: (Tensor) -> Tensor, backward: (Tensor) -> Tensor,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let y0 = forward(x)
        let r = random(y0.shape, seed: 99)
        for p in params { p.grad.fill(0) }
        let dx = backward(r).copy()
        let pgrads = params.map { $0.grad.copy() }
        func loss() -> Double { dot(forward(x), r) }
        var skipped = 0, checked = 0
        func compare(_ target: Tensor, _ analytic: Tensor, _ what: String) {
            let l0 = loss()
            for i in sample(target.count, limit: limit) {
                let old = target[i]
                target[i] = old + eps
                let lp = loss()
                target[i] = old - eps
                let lm = loss()
                target[i] = old
                let num = (lp - lm) / (2 * Double(eps))
                // A ReLU / max-pool kink inside [x - eps, x + eps] makes the one-sided slopes
                // disagree: the function is not differentiable there at this step, so skip it.
                let fwd = (lp - l0) / Double(eps), bwd = (l0 - lm) / Double(eps)
                if abs(fwd - bwd) > atol + rtol * max(abs(fwd), abs(bwd)) + 1e-3 * max(1, abs(num)) {
                    skipped += 1
                    continue
                }
                checked += 1
                let a = Double(analytic[i])
                let err = abs(a - num)
                if err > atol + rtol * max(abs(a), abs(num)) {
                    XCTFail("\(what)[\(i)]: analytic \(a) vs numeric \(num)", file: file, line: line)
                    return
                }
            }
        }
        if checkInput { compare(x, dx, "dx") }
        for (k, p) in params.enumerated() { compare(p.value, pgrads[k], "param\(k) \(p.value.shape)") }
        XCTAssertLessThanOrEqual(Double(skipped), max(2, maxSkippedFraction * Double(checked + skipped)),
                                 "too many non-differentiable points (\(skipped) skipped, \(checked) checked)", file: file, line: line)
    }
}
