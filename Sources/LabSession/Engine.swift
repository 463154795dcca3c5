import Foundation
import TensorEngine

/// The session's view of engine-wide settings.
enum LabEngine {
    /// Threads in use for the engine's own loops (BLAS is set alike by `setThreads`).
    static var threads: Int { Parallel.workers }

    /// Sets BLAS threads and the engine's loop workers.
    static func setThreads(_ n: Int) {
        EngineInfo.setBLASThreads(n)
        Parallel.workers = n
    }
}
