import Foundation
import TensorEngine

/// §0 Setup: what the engine runs on, the seed and the thread count.
enum SetupCommands {
    static let specs: [CommandSpec] = [
        CommandSpec("info", topic: "§0 Setup", "Show the BLAS library, its core type, threads and precision.",
                    recordable: true) { ctx in
            ctx.print(infoText(ctx.state))
        },
        CommandSpec("seed", topic: "§0 Setup",
                    "Set the seed every random source derives from (data order, augmentation, initialization).",
                    positional: "value",
                    arguments: [ArgumentSpec("value", .int(0...Int(Int32.max)), "the seed; without it, show the current one")]) { ctx in
            if let v = ctx.args.optionalInt("value") {
                ctx.state.seed = UInt64(v)
                ctx.print("seed \(v)")
            } else {
                ctx.print("seed \(ctx.state.seed)")
            }
        },
        CommandSpec("threads", topic: "§0 Setup", "Set the number of threads for the engine's loops and GEMMs (warns above the core count).",
                    positional: "count",
                    arguments: [ArgumentSpec("count", .int(1...256), "threads; without it, show the current number")]) { ctx in
            if let n = ctx.args.optionalInt("count") {
                LabEngine.setThreads(n)
                ctx.print("threads \(n)")
                let cores = ProcessInfo.processInfo.activeProcessorCount
                if n > cores {
                    ctx.warn("warning: \(n) threads on \(cores) core\(cores == 1 ? "" : "s"): the extra threads wait for a core and slow training down; 'threads \(cores)' uses every core.")
                }
            } else {
                ctx.print("threads \(LabEngine.threads)")
            }
        },
    ]

    /// The §0 report: library, core type, threads, precision.
    static func infoText(_ state: LabState) -> String {
        """
        device:    CPU (BLAS)
        BLAS:      \(EngineInfo.blasConfig)
        core type: \(EngineInfo.coreType)
        threads:   \(LabEngine.threads) (GEMMs split by the engine; BLAS itself on \(EngineInfo.blasThreads))
        precision: \(EngineInfo.precision)
        seed:      \(state.seed)
        """
    }
}
