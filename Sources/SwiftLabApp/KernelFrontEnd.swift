import Foundation
import JupyterKernel
import LabSession

/// `swift-lab kernel -f CONNECTION_FILE`: serves the lab session to Jupyter until it is shut down.
enum KernelFrontEnd {
    static let usage = """
    usage: swift-lab kernel -f CONNECTION_FILE
      Started by Jupyter through the kernelspec (see `swift-lab install-kernel`).
      SWIFT_LAB_KERNEL_HISTORY=FILE keeps the input history in FILE across kernel runs.
      SWIFT_LAB_KERNEL_DEBUG=1 logs every message type on stderr.
    """

    /// Parses `-f FILE`, binds the connection's sockets and serves until shutdown; returns the exit status.
    static func main(_ arguments: [String]) -> Int32 {
        var connectionFile: String?
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "-f", "--connection-file":
                guard i + 1 < arguments.count else { return fail("-f needs a file") }
                connectionFile = arguments[i + 1]
                i += 1
            case let a where a.hasPrefix("--connection-file="):
                connectionFile = String(a.dropFirst("--connection-file=".count))
            case "-h", "--help":
                print(usage)
                return 0
            default:
                return fail("unknown argument '\(arguments[i])'")
            }
            i += 1
        }
        guard let connectionFile else { return fail("no connection file (-f)") }
        do {
            let connection = try ConnectionInfo.load(path: connectionFile)
            if let warning = permissionWarning(connectionFile) { KernelLog.error(warning) }
            let historyFile = ProcessInfo.processInfo.environment["SWIFT_LAB_KERNEL_HISTORY"]
                .flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            let server = try KernelServer(connection: connection,
                                          interpreter: LabKernelInterpreter(session: Session()),
                                          history: HistoryStore(file: historyFile))
            server.installSIGINTHandler()
            KernelLog.debug("serving \(connection.transport) on \(connection.ip)")
            let restart = server.run()
            KernelLog.debug("shut down\(restart ? " (restart requested)" : "")")
            return 0
        } catch {
            KernelLog.error("cannot start: \(error)")
            return 1
        }
    }

    /// A warning when the connection file (which holds the signing key) can be read or written by other users.
    static func permissionWarning(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & 0o077 != 0 else { return nil }
        return "warning: connection file \(path) has mode \(String(st.st_mode & 0o777, radix: 8)); other users can read its key "
            + "and run commands in this kernel (chmod 600 it)"
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("swift-lab kernel: \(message)\n\(usage)\n".utf8))
        return 2
    }
}
