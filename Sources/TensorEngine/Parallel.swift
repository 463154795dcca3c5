import Foundation

/// The engine's one source of threads: our own loops and every GEMM split here, BLAS stays single-threaded.
///
/// OpenBLAS's own threads spin (sched_yield) for a while after each GEMM; on a
/// 2-core machine they then fight the threads of our transforms, BN and
/// optimizer passes for the same cores. So BLAS runs on one thread
/// (`GEMM.ensureSingleThreadedBLAS`) and `GEMM.sgemm` splits large products
/// across `workers` itself, by rows or columns of C (no reductions). Work
/// started inside a parallel region runs serially on its worker: one level of
/// parallelism, never oversubscribed.
public enum Parallel {
    /// Worker count for our loops and GEMMs (defaults to the active core count, at most 8).
    nonisolated(unsafe) public static var workers: Int = Swift.min(Swift.max(ProcessInfo.processInfo.activeProcessorCount, 1), 8)

    /// Elements below which a loop stays on the calling thread.
    nonisolated(unsafe) public static var minimumWork = 1 << 16

    /// A per-thread flag: set while a thread runs the body of a parallel region.
    private static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the calling thread is already inside a parallel region (then work stays serial).
    @inline(__always)
    public static var insideRegion: Bool { pthread_getspecific(regionKey) != nil }

    /// Runs `body(p)` for p in `0..<parts`, on `parts` threads at once unless already inside a region
    /// (then one after another on this thread). `body` must not depend on running concurrently.
    public static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 || insideRegion {
            for p in 0..<parts { body(p) }
            return
        }
        let key = regionKey
        withoutActuallyEscaping(body) { body in
            // The caller promises that the parts touch disjoint memory (see above), which is
            // what Sendable would otherwise have to prove about the pointers `body` captures.
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let outer = pthread_getspecific(key)
                pthread_setspecific(key, UnsafeMutableRawPointer(bitPattern: 1))
                work.value(p)
                pthread_setspecific(key, outer)
            }
        }
    }

    /// Runs `body(range)` over `0..<count` split into contiguous chunks; `work` estimates the total
    /// number of floats touched, to decide whether splitting pays.
    @inline(__always)
    public static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let parts = Swift.min(workers, count)
        if parts <= 1 || work < minimumWork || insideRegion {
            body(0..<count)
            return
        }
        let step = (count + parts - 1) / parts
        run(parts) { p in
            let lo = p * step
            let hi = Swift.min(count, lo + step)
            if lo < hi { body(lo..<hi) }
        }
    }
}

/// Hands a value to other threads when the caller, not the type system, guarantees it is safe:
/// fork-join loops whose parts write disjoint slices of the same buffers.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
