/// A scratch buffer shared by the layers of one model (patch matrices too big to keep per layer).
///
/// It only grows. Whoever asks for it owns its contents until the next request,
/// so it must not be held across another layer's forward or backward.
public final class Workspace {
    private var buffer: Tensor?

    public init() {}

    /// At least `count` floats of scratch, contents unspecified.
    public func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let b = buffer, b.capacity >= count { return b.data }
        let b = Tensor(shape: [Swift.max(count, 1)])
        buffer = b
        return b.data
    }

    /// Current size in floats.
    public var capacity: Int { buffer?.capacity ?? 0 }
}
