import CCurl
import Foundation

/// A blocking HTTP(S) GET through libcurl that streams the body to a file and returns its MD5.
///
/// libcurl is loaded on the first call (see `CCurl/shim.h`), so a process that never
/// downloads does not load it. The transfer runs on curl's multi interface, woken at
/// least every 0.1 s to poll `interrupted`, so a stop request ends it within about 0.1 s
/// even while the server sends nothing.
enum HTTPFetcher {
    struct Failure: Error { let message: String }
    /// `interrupted` turned true; the transfer was cancelled.
    struct Interrupted: Error {}

    /// What the write callback needs: the open file, the running MD5, progress and the first failure.
    private final class Transfer {
        let file: UnsafeMutablePointer<FILE>
        let md5 = MD5()
        let progress: (Int64, Int64?) -> Void
        var received: Int64 = 0
        var reported: Int64 = 0
        var expected: Int64?
        var failure: String?

        init(file: UnsafeMutablePointer<FILE>, progress: @escaping (Int64, Int64?) -> Void) {
            self.file = file
            self.progress = progress
        }

        /// Reports at most once per MiB, and always the last bytes.
        func report(final: Bool) {
            guard received != reported, final || received - reported >= 1 << 20 || received == expected else { return }
            reported = received
            progress(received, expected)
        }
    }

    /// Downloads `url` into `path` (created or truncated); returns the body's MD5 as hex.
    static func fetch(url: String, to path: String, interrupted: @escaping () -> Bool = { false },
                      progress: @escaping (Int64, Int64?) -> Void) throws -> String {
        guard let curl = swl_curl_load() else {
            throw Failure(message: "downloading needs libcurl (\(String(cString: swl_curl_error()))); on Debian: apt-get install libcurl4")
        }
        let api = curl.pointee
        // Outlives the handles (libcurl keeps the pointer until curl_easy_cleanup).
        let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorText.deallocate() }
        errorText[0] = 0
        guard let easy = api.easy_init() else { throw Failure(message: "libcurl could not start a transfer") }
        defer { api.easy_cleanup(easy) }
        guard let multi = api.multi_init() else { throw Failure(message: "libcurl could not start a transfer") }
        defer { _ = api.multi_cleanup(multi) }
        guard let file = fopen(path, "wb") else { throw Failure(message: "cannot create \(path)") }
        defer { fclose(file) }
        let transfer = Transfer(file: file, progress: progress)

        let write: swl_curl_write_fn = { data, size, count, user in
            let t = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            guard let data, n > 0 else { return n }
            if fwrite(data, 1, n, t.file) != n {
                t.failure = "write failed (disk full?)"
                return 0
            }
            t.md5.update(UnsafeRawPointer(data), count: n)
            t.received += Int64(n)
            t.report(final: false)
            return n
        }
        var ok = true
        url.withCString { u in
            ok = swl_curl_setopt_string(curl, easy, CURLOPT_URL, u) == CURLE_OK
                && swl_curl_setopt_write(curl, easy, write, Unmanaged.passUnretained(transfer).toOpaque()) == CURLE_OK
                && swl_curl_setopt_pointer(curl, easy, CURLOPT_ERRORBUFFER, errorText) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_FOLLOWLOCATION, 1) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_MAXREDIRS, 5) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_FAILONERROR, 1) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_CONNECTTIMEOUT, 30) == CURLE_OK
                // A transfer that stalls below 1 byte/s for 30 s fails (like a 30 s request timeout).
                && swl_curl_setopt_long(curl, easy, CURLOPT_LOW_SPEED_LIMIT, 1) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_LOW_SPEED_TIME, 30) == CURLE_OK
                && swl_curl_setopt_long(curl, easy, CURLOPT_NOSIGNAL, 1) == CURLE_OK
        }
        guard ok else { throw Failure(message: "libcurl refused the transfer's options") }
        guard api.multi_add_handle(multi, easy) == CURLM_OK else { throw Failure(message: "libcurl could not start a transfer") }
        defer { _ = api.multi_remove_handle(multi, easy) }

        // The URL string is copied by libcurl (CURLOPT_URL), so the loop needs no C string alive.
        var running: Int32 = 1
        var result: Int32 = -1
        while result < 0 {
            if interrupted() { throw Interrupted() }
            guard api.multi_perform(multi, &running) == CURLM_OK else { throw Failure(message: "libcurl failed mid-transfer") }
            if transfer.expected == nil {
                let length = swl_curl_content_length(curl, easy)
                if length > 0 { transfer.expected = Int64(length) }
            }
            result = swl_curl_multi_result(curl, multi)
            if result < 0 && running > 0 {
                var ready: Int32 = 0
                _ = api.multi_poll(multi, nil, 0, 100, &ready)
            }
        }
        if let failure = transfer.failure { throw Failure(message: failure) }
        guard result == Int32(CURLE_OK.rawValue) else {
            let status = swl_curl_response_code(curl, easy)
            if result == Int32(CURLE_HTTP_RETURNED_ERROR.rawValue), status >= 400 { throw Failure(message: "HTTP status \(status)") }
            let detail = String(cString: errorText)
            throw Failure(message: detail.isEmpty ? api.easy_strerror(CURLcode(UInt32(result))).map { String(cString: $0) } ?? "error \(result)" : detail)
        }
        let status = swl_curl_response_code(curl, easy)
        if status != 200 && url.lowercased().hasPrefix("http") { throw Failure(message: "HTTP status \(status)") }
        if let expected = transfer.expected, transfer.received != expected {
            throw Failure(message: "connection closed after \(transfer.received) of \(expected) bytes")
        }
        transfer.report(final: true)
        return transfer.md5.hexDigest()
    }
}
