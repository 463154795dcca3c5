import CZeroMQ
import Foundation

/// A ZeroMQ error with the library's message.
public struct ZMQError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public var description: String { "\(operation): \(String(cString: zmq_strerror(code)))" }
    static func last(_ operation: String) -> ZMQError { ZMQError(operation: operation, code: zmq_errno()) }
}

/// A ZeroMQ context owning sockets; terminate it after closing them.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init() {
        handle = zmq_ctx_new()
    }

    /// Ends the context; every socket must be closed first (linger 0 keeps this from blocking).
    public func terminate() {
        zmq_ctx_term(handle)
    }
}

/// One ZeroMQ socket. Not thread-safe: use it from one thread at a time.
public final class ZMQSocket: @unchecked Sendable {
    /// The socket kinds the kernel and its test clients use.
    public enum Kind {
        case router, dealer, pub, sub, rep, req
        var raw: Int32 {
            switch self {
            case .router: return ZMQ_ROUTER
            case .dealer: return ZMQ_DEALER
            case .pub: return ZMQ_PUB
            case .sub: return ZMQ_SUB
            case .rep: return ZMQ_REP
            case .req: return ZMQ_REQ
            }
        }
    }

    private var handle: UnsafeMutableRawPointer?

    /// Opens a socket of `kind` with linger 0, so closing never waits on unsent messages.
    public init(context: ZMQContext, kind: Kind) throws {
        guard let h = zmq_socket(context.handle, kind.raw) else { throw ZMQError.last("zmq_socket") }
        handle = h
        try setInt(ZMQ_LINGER, 0)
        if kind == .sub { try subscribe("") }
    }

    deinit { close() }

    /// Closes the socket (idempotent).
    public func close() {
        if let h = handle { zmq_close(h) }
        handle = nil
    }

    /// Sets an integer socket option.
    public func setInt(_ option: Int32, _ value: Int32) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt")
        }
    }

    /// Subscribes a SUB socket to messages starting with `prefix` ("" is everything).
    public func subscribe(_ prefix: String) throws {
        let bytes = Array(prefix.utf8)
        guard zmq_setsockopt(handle, ZMQ_SUBSCRIBE, bytes, bytes.count) == 0 else {
            throw ZMQError.last("zmq_setsockopt(SUBSCRIBE)")
        }
    }

    /// Binds to `endpoint` and returns the endpoint actually bound (a tcp port 0 becomes a real port).
    @discardableResult
    public func bind(_ endpoint: String) throws -> String {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return endpoint }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Connects to `endpoint`.
    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    /// Sends all `frames` as one multipart message.
    public func send(_ frames: [Data]) throws {
        for (i, frame) in frames.enumerated() {
            let flags: Int32 = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            let rc = frame.withUnsafeBytes { raw -> Int32 in
                var dummy: UInt8 = 0
                if let base = raw.baseAddress { return zmq_send(handle, base, raw.count, flags) }
                return zmq_send(handle, &dummy, 0, flags)
            }
            if rc < 0 { throw ZMQError.last("zmq_send") }
        }
    }

    /// Waits up to `timeout` seconds for an incoming message; true when one is ready.
    public func poll(timeout: TimeInterval) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let rc = zmq_poll(&item, 1, Int(timeout * 1000))
        return rc > 0 && (item.revents & Int16(ZMQ_POLLIN)) != 0
    }

    /// Receives one whole multipart message, waiting at most `timeout` seconds; nil on timeout.
    public func receive(timeout: TimeInterval) throws -> [Data]? {
        guard poll(timeout: timeout) else { return nil }
        var frames: [Data] = []
        var message = zmq_msg_t()
        repeat {
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let n = zmq_msg_recv(&message, handle, 0)
            if n < 0 { throw ZMQError.last("zmq_msg_recv") }
            let size = zmq_msg_size(&message)
            if size > 0, let data = zmq_msg_data(&message) {
                frames.append(Data(bytes: data, count: size))
            } else {
                frames.append(Data())
            }
            if zmq_msg_more(&message) == 0 { break }
        } while true
        return frames
    }
}
