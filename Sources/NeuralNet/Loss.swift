import Foundation
import TensorEngine

/// Mean cross-entropy over a batch of logits, with its gradient (PyTorch's `nn.CrossEntropyLoss()`).
///
/// logits: `[N, K]`; labels: N class indices in 0..<K. The loss uses a
/// max-shifted log-softmax in Double; the gradient (softmax - onehot) / N is
/// kept in `gradient` `[N, K]`, a buffer reused across calls.
public final class CrossEntropyLoss {
    /// dL/dlogits of the last `forward`.
    public private(set) var gradient = Tensor(shape: [0])

    public init() {}

    /// Mean loss; also fills `gradient`. Labels must be in 0..<K (precondition).
    public func forward<L: BinaryInteger>(_ logits: Tensor, labels: [L]) -> Float {
        precondition(logits.shape.count == 2 && logits.shape[0] == labels.count,
                     "CrossEntropyLoss: logits \(logits.shape) vs \(labels.count) labels")
        let (n, k) = (logits.shape[0], logits.shape[1])
        gradient = Tensor.reuse(gradient, shape: [n, k])
        var total = 0.0
        let invN = 1 / Double(n)
        for i in 0..<n {
            let row = logits.data + i * k, grow = gradient.data + i * k
            let label = Int(labels[i])
            precondition(label >= 0 && label < k, "label \(label) outside 0..<\(k)")
            var mx = -Double.infinity
            for j in 0..<k { mx = Swift.max(mx, Double(row[j])) }
            var s = 0.0
            for j in 0..<k { s += Foundation.exp(Double(row[j]) - mx) }
            let logZ = mx + Foundation.log(s)
            total += logZ - Double(row[label])
            for j in 0..<k {
                let p = Foundation.exp(Double(row[j]) - logZ)
                grow[j] = Float((p - (j == label ? 1 : 0)) * invN)
            }
        }
        return Float(total * invN)
    }
}

/// Predictions and accuracy from logits `[N, K]`.
public enum Metrics {
    /// The arg-max class of every row (first on ties).
    public static func argmax(_ logits: Tensor) -> [Int] {
        Kernels.argmaxRows(logits.data, rows: logits.shape[0], cols: logits.shape[1])
    }

    /// How many rows' arg-max equals the label.
    public static func correctCount<L: BinaryInteger>(_ logits: Tensor, labels: [L]) -> Int {
        zip(argmax(logits), labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
    }

    /// Fraction of rows classified correctly, in [0, 1].
    public static func accuracy<L: BinaryInteger>(_ logits: Tensor, labels: [L]) -> Double {
        labels.isEmpty ? 0 : Double(correctCount(logits, labels: labels)) / Double(labels.count)
    }
}
