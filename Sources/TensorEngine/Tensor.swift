import CBLAS

/// A dense float32 tensor: a shape and one contiguous, 64-byte-aligned buffer.
///
/// Reference semantics on purpose: layers keep their output and gradient
/// tensors between steps and reuse them, so a training step allocates nothing
/// once shapes are stable. A tensor either owns its buffer or is a view into
/// another buffer (for example one parameter inside a model's single
/// contiguous parameter block); a view never frees.
///
/// Layout convention inside the engine: activations are NHWC, `[N, H, W, C]`;
/// flat features are `[N, F]`. Whatever leaves the engine (checkpoints, maps
/// shown to the learner) is converted to PyTorch's layouts at that boundary.
public final class Tensor {
    /// The dimensions, outermost first.
    public private(set) var shape: [Int]
    /// The first element. Valid for `capacity` elements.
    public let data: UnsafeMutablePointer<Float>
    /// How many elements the buffer holds; `count` never exceeds it.
    public let capacity: Int
    private let owned: Bool
    /// What keeps a view's memory alive; nil for owning tensors.
    private let owner: AnyObject?

    /// Number of elements of the current shape.
    public var count: Int { shape.reduce(1, *) }

    /// A zero-filled tensor that owns its buffer.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        let n = Swift.max(shape.reduce(1, *), 1)
        capacity = n
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        data = raw.bindMemory(to: Float.self, capacity: n)
        data.initialize(repeating: 0, count: n)
        owned = true
        owner = nil
    }

    /// A tensor that owns a copy of `values`; `values.count` must equal the shape's element count.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A view of `count(shape)` floats at `pointer`, owned elsewhere.
    ///
    /// Pass the object that owns the memory as `owner` (for example the tensor or store whose
    /// block this views): the view keeps it alive, so a view never outlives its memory.
    public init(viewOf pointer: UnsafeMutablePointer<Float>, shape: [Int], owner: AnyObject? = nil) {
        self.shape = shape
        data = pointer
        capacity = shape.reduce(1, *)
        owned = false
        self.owner = owner
    }

    deinit {
        if owned { UnsafeMutableRawPointer(data).deallocate() }
    }

    /// Changes the shape without moving data; the new shape must fit the capacity.
    public func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) <= capacity, "shape \(newShape) exceeds capacity \(capacity)")
        shape = newShape
    }

    /// Returns `t` reshaped to `shape` if it fits its capacity, else a new tensor: the reuse idiom for
    /// per-layer buffers (`out = Tensor.reuse(out, shape: [n, h, w, c])`).
    public static func reuse(_ t: Tensor?, shape: [Int]) -> Tensor {
        if let t, t.owned, shape.reduce(1, *) <= t.capacity {
            t.reshape(shape)
            return t
        }
        return Tensor(shape: shape)
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies the elements out, in memory order.
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// A new owning tensor with the same shape and values.
    public func copy() -> Tensor {
        let t = Tensor(shape: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Copies `other`'s elements into this tensor; element counts must match.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy of \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// Element access by flat index (convenience for tests and small code; hot loops use `data`).
    public subscript(_ i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}
