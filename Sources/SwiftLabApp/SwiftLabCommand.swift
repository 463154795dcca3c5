import Foundation

/// Entry point of the `swift-lab` executable: picks the subcommand and hands over to its front end.
public enum SwiftLabCommand {
    static let usage = """
    usage: swift-lab <subcommand> [options]
      repl [--record FILE] [--out DIR] interactive lab with readline, completion and history
      run FILE [--out DIR] [--set k=v] replay a .lab script or the code cells of a .ipynb notebook
      notebook FILE.lab [-o FILE.ipynb] convert a .lab script into a notebook for the kernel
      kernel -f CONNECTION_FILE        Jupyter kernel (started by Jupyter)
      install-kernel [--user|--prefix DIR] [--name NAME]   install the kernelspec
      bench [--json] [--profile]       training and inference throughput of the engine (per layer with --profile)
    """

    /// Runs the subcommand named in `arguments[1]` and exits with its status.
    public static func main(_ arguments: [String]) -> Never {
        guard arguments.count > 1 else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        let rest = Array(arguments.dropFirst(2))
        let status: Int32
        switch arguments[1] {
        case "repl": InterruptSignal.accept(); status = REPLFrontEnd.main(rest)
        case "run": InterruptSignal.accept(); status = ScriptPlayer.main(rest)
        case "notebook": status = NotebookConverter.main(rest)
        case "kernel": InterruptSignal.accept(); status = KernelFrontEnd.main(rest)
        case "install-kernel": status = KernelInstaller.main(rest)
        case "bench": status = BenchFrontEnd.main(rest)
        case "-h", "--help", "help":
            print(usage)
            status = 0
        default:
            FileHandle.standardError.write(Data("swift-lab: unknown subcommand '\(arguments[1])'\n\(usage)\n".utf8))
            status = 2
        }
        exit(status)
    }
}
