import Foundation

/// `swift-lab install-kernel`: writes the Jupyter kernelspec that starts this binary as a kernel.
///
/// Like ipykernel's installer: `--user` installs into ~/.local/share/jupyter,
/// `--prefix DIR` into DIR/share/jupyter, `--sys-prefix` into the active
/// virtual environment ($VIRTUAL_ENV), otherwise /usr/local/share/jupyter.
enum KernelInstaller {
    static let usage = """
    usage: swift-lab install-kernel [--user | --prefix DIR | --sys-prefix] [--name NAME] [--display-name TEXT]
      --user           install into ~/.local/share/jupyter/kernels (or $JUPYTER_DATA_DIR)
      --prefix DIR     install into DIR/share/jupyter/kernels (e.g. a virtual environment)
      --sys-prefix     install into $VIRTUAL_ENV/share/jupyter/kernels
      --name NAME      kernelspec name (default swift-lab)
      --display-name   name shown in Jupyter's kernel list (default "Swift Lab")
    """

    /// Where and what to install.
    struct Options: Equatable {
        var dataDir: String
        var name = "swift-lab"
        var displayName = "Swift Lab"
    }

    /// Installs the kernelspec as the arguments say and prints where it went; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        let options: Options
        switch parse(arguments, environment: ProcessInfo.processInfo.environment) {
        case .success(let o): options = o
        case .failure(let e):
            if e.message == "help" { print(usage); return 0 }
            FileHandle.standardError.write(Data("swift-lab install-kernel: \(e.message)\n\(usage)\n".utf8))
            return 2
        }
        do {
            let dir = try install(options, executable: executablePath())
            print("Installed kernelspec \(options.name) in \(dir)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("swift-lab install-kernel: \(error)\n".utf8))
            return 1
        }
    }

    struct UsageError: Error { let message: String }

    /// Reads the command line; `environment` supplies HOME, JUPYTER_DATA_DIR and VIRTUAL_ENV.
    static func parse(_ arguments: [String], environment: [String: String]) -> Result<Options, UsageError> {
        var options = Options(dataDir: "/usr/local/share/jupyter")
        var places = 0
        var i = 0
        func value() -> String? {
            i += 1
            return i < arguments.count ? arguments[i] : nil
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--user":
                places += 1
                if let d = environment["JUPYTER_DATA_DIR"], !d.isEmpty {
                    options.dataDir = d
                } else {
                    let home = environment["HOME"] ?? NSHomeDirectory()
                    options.dataDir = home + "/.local/share/jupyter"
                }
            case "--prefix":
                places += 1
                guard let p = value() else { return .failure(UsageError(message: "--prefix needs a directory")) }
                options.dataDir = absolute(p) + "/share/jupyter"
            case "--sys-prefix":
                places += 1
                guard let venv = environment["VIRTUAL_ENV"], !venv.isEmpty else {
                    return .failure(UsageError(message: "--sys-prefix needs an active virtual environment (VIRTUAL_ENV)"))
                }
                options.dataDir = venv + "/share/jupyter"
            case "--name":
                guard let n = value() else { return .failure(UsageError(message: "--name needs a name")) }
                options.name = n
            case "--display-name":
                guard let n = value() else { return .failure(UsageError(message: "--display-name needs a text")) }
                options.displayName = n
            case "-h", "--help":
                return .failure(UsageError(message: "help"))
            default:
                return .failure(UsageError(message: "unknown argument '\(arguments[i])'"))
            }
            i += 1
        }
        if places > 1 { return .failure(UsageError(message: "give at most one of --user, --prefix, --sys-prefix")) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        if options.name.isEmpty || !options.name.allSatisfy({ allowed.contains($0) }) {
            return .failure(UsageError(message: "kernel name '\(options.name)' may hold only letters, digits, '-', '_' and '.'"))
        }
        return .success(options)
    }

    /// The kernel.json object for a binary at `executable`.
    static func kernelJSON(executable: String, displayName: String) -> [String: Any] {
        [
            "argv": [executable, "kernel", "-f", "{connection_file}"],
            "display_name": displayName,
            "language": "swift-lab",
            "interrupt_mode": "message",
            // The engine runs BLAS on one thread and splits GEMMs itself; with this set,
            // OpenBLAS does not start its thread pool when the kernel loads (faster start-up).
            "env": ["OPENBLAS_NUM_THREADS": "1"],
            "metadata": ["debugger": false],
        ]
    }

    /// Writes `<dataDir>/kernels/<name>/` (kernel.json and logos); returns that directory.
    static func install(_ options: Options, executable: String) throws -> String {
        let dir = options.dataDir + "/kernels/" + options.name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(
            withJSONObject: kernelJSON(executable: executable, displayName: options.displayName),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try json.write(to: URL(fileURLWithPath: dir + "/kernel.json"))
        try KernelLogos.png32.write(to: URL(fileURLWithPath: dir + "/logo-32x32.png"))
        try KernelLogos.png64.write(to: URL(fileURLWithPath: dir + "/logo-64x64.png"))
        return dir
    }

    /// The absolute, symlink-free path of the running binary.
    static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return resolved
        }
        return absolute(CommandLine.arguments[0])
    }

    private static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
