import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 file server on 127.0.0.1 for download tests: GET /<name> serves `files[name]`, else 404.
final class LoopbackServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let files: [String: [UInt8]]
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var requests: [String] = []

    /// Paths requested so far.
    var requestedPaths: [String] { lock.lock(); defer { lock.unlock() }; return requests }

    var baseURL: String { "http://127.0.0.1:\(port)/mirror/" }

    /// Bodies go out `chunkBytes` at a time with `chunkDelay` seconds between chunks (0: all at once).
    private let chunkBytes: Int, chunkDelay: TimeInterval

    init(files: [String: [UInt8]], chunkBytes: Int = 1 << 20, chunkDelay: TimeInterval = 0) {
        self.files = files
        self.chunkBytes = chunkBytes
        self.chunkDelay = chunkDelay
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(listener >= 0, "socket failed")
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, size) } }
        precondition(bound == 0, "bind failed")
        precondition(listen(listener, 8) == 0, "listen failed")
        var len = size
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        self.listener = listener
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func deadPort() -> UInt16 {
        let s = LoopbackServer(files: [:])
        let p = s.port
        s.stop()
        return p
    }

    /// Closes the listening socket and waits for the server thread to end.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        finished.wait()
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { break }
            handle(client)
            close(client)
        }
        finished.signal()
    }

    private func handle(_ client: Int32) {
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            request += buffer[0 ..< n]
        }
        let firstLine = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : "/"
        lock.lock(); requests.append(path); lock.unlock()
        let name = String(path.split(separator: "/").last ?? "")
        let body = files[name]
        let head = body == nil
            ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\nContent-Length: \(body!.count)\r\nConnection: close\r\n\r\n"
        guard let body, chunkDelay > 0 else {
            sendAll(client, Array(head.utf8) + (body ?? []))
            return
        }
        sendAll(client, Array(head.utf8))
        var offset = 0
        while offset < body.count {
            let end = Swift.min(body.count, offset + chunkBytes)
            guard sendAll(client, Array(body[offset ..< end])) else { return }   // the client went away
            offset = end
            Thread.sleep(forTimeInterval: chunkDelay)
        }
    }

    /// Sends every byte; false when the connection failed first.
    @discardableResult
    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        bytes.withUnsafeBytes { raw in
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
        return sent == bytes.count
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
