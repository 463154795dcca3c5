import Foundation

/// Deliberate threading for the engine's own loops (GEMMs thread inside OpenBLAS).
///
/// A loop is split only when it is large enough to pay for waking a second
/// thread; on the 2-core target that means a few hundred thousand floats.
public enum Parallel {
    /// Worker count for our loops (defaults to the active core count, at most 8).
    nonisolated(unsafe) public static var workers: Int = Swift.min(Swift.max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)

    /// Elements below which a loop stays on the calling thread.
    nonisolated(unsafe) public static var minimumWork = 1 << 16

    /// Runs `body(range)` over `0..<count` split into contiguous chunks; `work` estimates the total
    /// number of floats touched, to decide whether splitting pays.
    @inline(__always)
    public static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(workers, count)
        if parts <= 1 || work < minimumWork {
            body(0..<count)
            return
        }
        let step = (count + parts - 1) / parts
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = p * step
            let hi = Swift.min(count, lo + step)
            if lo < hi { body(lo..<hi) }
        }
    }
}
