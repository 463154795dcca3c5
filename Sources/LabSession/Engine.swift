import Foundation
import TensorEngine

/// The session's view of engine-wide settings.
enum LabEngine {
    /// Threads in use for the engine's own loops (BLAS is set alike by `setThreads`).
    static var threads: Int { Parallel.workers }

    /// Sets the engine's threads (its loops and split GEMMs; BLAS stays single-threaded).
    static func setThreads(_ n: Int) {
        EngineInfo.setThreads(n)
    }
}
