import Foundation
import NeuralNet
import TensorEngine

/// `swift-lab bench [--json] [--steps N] [--threads N] [--batch N] [--only WORKLOAD]`: engine throughput.
///
/// Prints training-step and inference images/s for ResNet-18 and the plain
/// CNN at 3x32x32 (batch 128 unless told), plus peak resident memory; with
/// `--json` one JSON object per workload per line.
enum BenchFrontEnd {
    static let usage = "usage: swift-lab bench [--json] [--steps N] [--threads N] [--batch N] [--only resnet18-3x32x32|plain10-3x32x32]"

    static func main(_ arguments: [String]) -> Int32 {
        var json = false, steps = 10, batch = 128
        var threads: Int?
        var only: [Benchmark.Workload] = Benchmark.Workload.allCases
        var i = 0
        func value() -> Int? {
            i += 1
            return i < arguments.count ? Int(arguments[i]).flatMap { $0 > 0 ? $0 : nil } : nil
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--json": json = true
            case "--steps": guard let v = value() else { return fail("--steps needs a positive integer") }; steps = v
            case "--batch": guard let v = value() else { return fail("--batch needs a positive integer") }; batch = v
            case "--threads": guard let v = value() else { return fail("--threads needs a positive integer") }; threads = v
            case "--only":
                i += 1
                guard i < arguments.count, let w = Benchmark.Workload(rawValue: arguments[i]) else {
                    return fail("--only takes one of: " + Benchmark.Workload.allCases.map(\.rawValue).joined(separator: ", "))
                }
                only = [w]
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown option '\(arguments[i])'")
            }
            i += 1
        }
        if let threads {
            EngineInfo.setBLASThreads(threads)
            Parallel.workers = threads
        }
        if !json {
            print("engine: \(EngineInfo.blasConfig) (\(EngineInfo.coreType)), \(EngineInfo.blasThreads) BLAS threads, \(Parallel.workers) loop workers, \(EngineInfo.precision)")
            print("batch \(batch), \(steps) timed steps after 2 warm-up steps")
        }
        for w in only {
            let r = Benchmark.run(w, batch: batch, steps: steps)
            if json {
                print(r.json)
            } else {
                print(String(format: "%-18@ train %8.1f img/s   infer %8.1f img/s   peak RSS %7.1f MiB   CPU/step train %7.1f ms infer %7.1f ms",
                             r.workload, r.trainImagesPerSecond, r.inferImagesPerSecond, r.peakRSSMegabytes, r.trainCPUms, r.inferCPUms))
            }
            fflush(stdout)
        }
        return 0
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("swift-lab bench: \(message)\n\(usage)\n".utf8))
        return 2
    }
}
