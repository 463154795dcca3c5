import Foundation

/// The contents of a Jupyter connection file: transport, addresses, ports and signing key.
public struct ConnectionInfo: Sendable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var hbPort: Int
    public var key: String
    public var signatureScheme: String

    public init(transport: String = "tcp", ip: String = "127.0.0.1", shellPort: Int = 0, iopubPort: Int = 0,
                stdinPort: Int = 0, controlPort: Int = 0, hbPort: Int = 0, key: String = "",
                signatureScheme: String = "hmac-sha256") {
        self.transport = transport; self.ip = ip
        self.shellPort = shellPort; self.iopubPort = iopubPort; self.stdinPort = stdinPort
        self.controlPort = controlPort; self.hbPort = hbPort
        self.key = key; self.signatureScheme = signatureScheme
    }

    /// Errors from reading a connection file.
    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case missing(String)
        case badTransport(String)
        public var description: String {
            switch self {
            case .unreadable(let path, let why): return "cannot read connection file \(path): \(why)"
            case .missing(let field): return "connection file lacks '\(field)'"
            case .badTransport(let t): return "unsupported transport '\(t)' (tcp or ipc)"
            }
        }
    }

    /// Reads and checks a connection file.
    public static func load(path: String) throws -> ConnectionInfo {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LoadError.unreadable(path, "\(error.localizedDescription)")
        }
        let object: JSONObject
        do { object = try JSON.decode(data, what: "connection file") } catch {
            throw LoadError.unreadable(path, "not a JSON object")
        }
        return try parse(object)
    }

    /// Builds connection info from a parsed connection file object.
    public static func parse(_ object: JSONObject) throws -> ConnectionInfo {
        func port(_ name: String) throws -> Int {
            guard let p = JSON.int(object[name]) else { throw LoadError.missing(name) }
            return p
        }
        let transport = object["transport"] as? String ?? "tcp"
        guard transport == "tcp" || transport == "ipc" else { throw LoadError.badTransport(transport) }
        guard let ip = object["ip"] as? String else { throw LoadError.missing("ip") }
        return ConnectionInfo(transport: transport, ip: ip,
                              shellPort: try port("shell_port"), iopubPort: try port("iopub_port"),
                              stdinPort: try port("stdin_port"), controlPort: try port("control_port"),
                              hbPort: try port("hb_port"), key: object["key"] as? String ?? "",
                              signatureScheme: object["signature_scheme"] as? String ?? "hmac-sha256")
    }

    /// The endpoint for `port`: tcp://IP:PORT, or ipc://IP-PORT as Jupyter names ipc sockets.
    public func endpoint(port: Int) -> String {
        if transport == "ipc" { return "ipc://\(ip)-\(port)" }
        let host = ip.contains(":") ? "[\(ip)]" : ip
        return "tcp://\(host):\(port == 0 ? "*" : String(port))"
    }

    /// The connection file's JSON object (used by tests to write one).
    public var jsonObject: JSONObject {
        ["transport": transport, "ip": ip, "shell_port": shellPort, "iopub_port": iopubPort,
         "stdin_port": stdinPort, "control_port": controlPort, "hb_port": hbPort, "key": key,
         "signature_scheme": signatureScheme, "kernel_name": "swift-lab"]
    }
}
