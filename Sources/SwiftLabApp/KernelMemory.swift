import Foundation

/// Hands memory freed by a cell back to the system, so a long-lived kernel's resident size tracks what it holds.
///
/// glibc's malloc keeps freed pages of its arenas (one per thread that allocated: the session,
/// BLAS and loader threads) for reuse; after a cell that built and dropped models the kernel
/// would otherwise stay hundreds of MB larger than its live data. `malloc_trim` is looked up at
/// run time (it is a glibc extension outside the Glibc module map) and skipped where absent.
enum KernelMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Returns free heap pages to the system (a few milliseconds).
    static func release() { _ = trim?(0) }
}
