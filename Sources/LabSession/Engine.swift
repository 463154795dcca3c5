import Foundation
import TensorEngine

/// The session's view of engine-wide settings.
enum LabEngine {
    /// Threads in use for BLAS.
    static var threads: Int { EngineInfo.blasThreads }

    /// Sets BLAS threads.
    static func setThreads(_ n: Int) {
        EngineInfo.setBLASThreads(n)
    }
}
