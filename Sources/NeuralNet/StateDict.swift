import TensorEngine

/// One entry of a model's state dict, named as torchvision names it (`layer1.0.conv1.weight`).
///
/// The checkpoint code converts between engine layout and PyTorch layout with
/// the parameter's `layout`; buffers (BN running statistics) are stored in
/// PyTorch's layout already; `num_batches_tracked` is an I64 counter.
public enum StateValue {
    /// A trainable parameter (saved as F32 in PyTorch layout).
    case parameter(Parameter)
    /// A float buffer such as `running_mean` / `running_var` (F32, same layout as PyTorch).
    case buffer(Tensor)
    /// BatchNorm's `num_batches_tracked` (I64 scalar, shape `[]`).
    case counter(BatchCounter)
}

/// A mutable I64 counter shared between a BatchNorm layer and its state-dict entry.
public final class BatchCounter {
    public var value: Int64
    public init(_ value: Int64 = 0) { self.value = value }
}

/// A named state-dict entry.
public struct StateEntry {
    public let name: String
    public let value: StateValue
    public init(name: String, value: StateValue) {
        self.name = name
        self.value = value
    }

    /// PyTorch's shape for this entry.
    public var torchShape: [Int] {
        switch value {
        case .parameter(let p): return p.torchShape
        case .buffer(let t): return t.shape
        case .counter: return []
        }
    }
}
