import Foundation

/// Remembers the signatures of recently accepted messages so that a replayed message is dropped.
///
/// Holds at most `capacity` signatures; the oldest is forgotten first.
/// Thread-safe: shell and control threads share one guard.
public final class ReplayGuard: @unchecked Sendable {
    private let capacity: Int
    private var seen = Set<String>()
    private var order: [String] = []
    private var next = 0
    private let lock = NSLock()

    /// Creates a guard remembering up to `capacity` signatures.
    public init(capacity: Int = 65_536) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Records `signature`; returns false when it was seen before (a replay).
    /// Empty signatures (signing disabled) are never treated as replays.
    public func accept(_ signature: String) -> Bool {
        if signature.isEmpty { return true }
        lock.lock(); defer { lock.unlock() }
        if seen.contains(signature) { return false }
        if order.count < capacity {
            order.append(signature)
        } else {
            seen.remove(order[next])
            order[next] = signature
            next = (next + 1) % capacity
        }
        seen.insert(signature)
        return true
    }

    /// How many signatures are remembered now.
    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return seen.count
    }
}
