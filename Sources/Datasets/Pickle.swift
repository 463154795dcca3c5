import Foundation

/// A value produced by the strict unpickler.
///
/// Byte strings are not copied: `.bytes` holds a range into the file's buffer.
/// Lists and dicts are boxes because pickles mutate them after creation.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case bytes(Range<Int>)
    case text(String)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    case global(String)             // "module.name"
    case ndarray(NDArrayBox)
    case dtype(DTypeBox)
}

final class PickleList { var items: [PickleValue] = [] }
final class PickleDict { var items: [(PickleValue, PickleValue)] = [] }

/// A numpy array rebuilt from `_reconstruct` + BUILD: only C-ordered uint8 is accepted.
final class NDArrayBox {
    var shape: [Int] = []
    var data: Range<Int>?
}

/// A numpy dtype rebuilt from `numpy.dtype(name, align, copy)` + BUILD.
final class DTypeBox {
    let name: String
    var built = false
    init(name: String) { self.name = name }
}

/// Reads the small subset of Python's pickle format (protocol 2) that CIFAR-10's python batches use.
///
/// The real files were written by Python 2's cPickle: a dict of byte-string keys
/// holding a numpy uint8 array (rebuilt through `numpy.core.multiarray._reconstruct`,
/// `numpy.ndarray`, `numpy.dtype` and BUILD), a list of small ints, and strings.
/// Only those opcodes and those three callables are understood; anything else,
/// including any other importable name, is rejected with an error naming the
/// file and the offset. Nothing is ever executed.
struct StrictUnpickler {
    let bytes: UnsafeBufferPointer<UInt8>
    let path: String
    private var pos = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Containers put inside other containers so far; bounded so nesting (and freeing it) stays shallow.
    private var nestings = 0
    /// A CIFAR-10 batch nests a few dozen containers; this bound keeps recursion far from the stack's end.
    static let maxNestings = 1_000

    init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
        self.bytes = bytes
        self.path = path
    }

    private func fail(_ detail: String) -> DatasetError {
        .unexpectedPickle(path: path, detail: detail)
    }

    private mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else {
            throw DatasetError.truncated(path: path, detail: "pickle ends at byte \(pos) without STOP")
        }
        defer { pos += 1 }
        return bytes[pos]
    }

    private mutating func uint(_ n: Int) throws -> Int {
        var v = 0
        for k in 0 ..< n { v |= Int(try byte()) << (8 * k) }
        return v
    }

    private mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, pos + n <= bytes.count else {
            throw DatasetError.truncated(path: path, detail: "a string of \(n) bytes at offset \(pos) runs past the end")
        }
        defer { pos += n }
        return pos ..< pos + n
    }

    private mutating func line() throws -> String {
        let start = pos
        while try byte() != 0x0A {}
        return String(decoding: bytes[start ..< pos - 1], as: UTF8.self)
    }

    /// Counts the containers among `values` that are about to go inside another container.
    private mutating func nest(_ values: PickleValue...) throws { try nest(values) }

    private mutating func nest(_ values: [PickleValue]) throws {
        for v in values {
            switch v {
            case .tuple, .list, .dict: nestings += 1
            default: continue
            }
        }
        if nestings > Self.maxNestings {
            throw fail("containers nested more than \(Self.maxNestings) times at offset \(pos)")
        }
    }

    private mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw fail("stack underflow at offset \(pos)") }
        return v
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("MARK missing at offset \(pos)") }
        let items = Array(stack[m...])
        stack.removeSubrange(m...)
        return items
    }

    /// Runs the pickle program and returns the value left by STOP.
    mutating func run() throws -> PickleValue {
        while true {
            let at = pos
            let op = try byte()
            switch op {
            case 0x80:  // PROTO
                let p = try byte()
                guard p == 2 else { throw fail("pickle protocol \(p); the CIFAR-10 files use protocol 2") }
            case 0x2E:  // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("malformed stack at STOP") }
                if pos != bytes.count { throw fail("\(bytes.count - pos) bytes after the end of the pickle") }
                return stack[0]
            case 0x7D: stack.append(.dict(PickleDict()))          // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))          // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))                   // EMPTY_TUPLE
            case 0x28: marks.append(stack.count)                  // MARK
            case 0x55: stack.append(.bytes(try take(try uint(1))))  // SHORT_BINSTRING
            case 0x54: stack.append(.bytes(try take(try uint(4))))  // BINSTRING
            case 0x58:                                            // BINUNICODE
                let r = try take(try uint(4))
                stack.append(.text(String(decoding: bytes[r], as: UTF8.self)))
            case 0x4B: stack.append(.int(try uint(1)))            // BININT1
            case 0x4D: stack.append(.int(try uint(2)))            // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x4E: stack.append(.none)                        // NONE
            case 0x88: stack.append(.bool(true))                  // NEWTRUE
            case 0x89: stack.append(.bool(false))                 // NEWFALSE
            case 0x63:                                            // GLOBAL
                let module = try line(), name = try line()
                stack.append(.global(module + "." + name))
            case 0x85:                                            // TUPLE1
                let a = try pop()
                try nest(a)
                stack.append(.tuple([a]))
            case 0x86:                                            // TUPLE2
                let b = try pop(), a = try pop()
                try nest(a, b)
                stack.append(.tuple([a, b]))
            case 0x87:                                            // TUPLE3
                let c = try pop(), b = try pop(), a = try pop()
                try nest(a, b, c)
                stack.append(.tuple([a, b, c]))
            case 0x74:                                            // TUPLE
                let items = try popMark()
                try nest(items)
                stack.append(.tuple(items))
            case 0x61:                                            // APPEND
                let v = try pop()
                try nest(v)
                guard case let .list(l)? = stack.last else { throw fail("APPEND to a non-list at offset \(at)") }
                l.items.append(v)
            case 0x65:                                            // APPENDS
                let items = try popMark()
                try nest(items)
                guard case let .list(l)? = stack.last else { throw fail("APPENDS to a non-list at offset \(at)") }
                l.items.append(contentsOf: items)
            case 0x73:                                            // SETITEM
                let v = try pop(), k = try pop()
                try nest(k, v)
                guard case let .dict(d)? = stack.last else { throw fail("SETITEM on a non-dict at offset \(at)") }
                d.items.append((k, v))
            case 0x75:                                            // SETITEMS
                let items = try popMark()
                try nest(items)
                guard items.count % 2 == 0, case let .dict(d)? = stack.last else {
                    throw fail("SETITEMS on a non-dict at offset \(at)")
                }
                for k in stride(from: 0, to: items.count, by: 2) { d.items.append((items[k], items[k + 1])) }
            case 0x71: memo[try uint(1)] = stack.last             // BINPUT
            case 0x72: memo[try uint(4)] = stack.last             // LONG_BINPUT
            case 0x68, 0x6A:                                      // BINGET, LONG_BINGET
                let key = try uint(op == 0x68 ? 1 : 4)
                guard let v = memo[key] else { throw fail("memo entry \(key) used before it was set (offset \(at))") }
                stack.append(v)
            case 0x52:                                            // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args, at: at))
            case 0x62:                                            // BUILD
                let state = try pop()
                guard let target = stack.last else { throw fail("BUILD without an object at offset \(at)") }
                try build(target, state, at: at)
            default:
                throw fail(String(format: "unsupported opcode 0x%02x at offset %d", op, at))
            }
        }
    }

    private func string(_ v: PickleValue) -> String? {
        switch v {
        case let .bytes(r): return String(decoding: bytes[r], as: UTF8.self)
        case let .text(s): return s
        default: return nil
        }
    }

    private func flag(_ v: PickleValue) -> Bool? {
        switch v {
        case let .bool(b): return b
        case let .int(i) where i == 0 || i == 1: return i == 1
        default: return nil
        }
    }

    private func reduce(_ callable: PickleValue, _ args: PickleValue, at: Int) throws -> PickleValue {
        guard case let .global(name) = callable, case let .tuple(a) = args else {
            throw fail("REDUCE of something other than a known callable at offset \(at)")
        }
        switch name {
        case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
            guard a.count == 3, case .global("numpy.ndarray") = a[0], case let .tuple(shape) = a[1],
                  shape.count == 1, case .int(0) = shape[0], string(a[2]) == "b"
            else { throw fail("unexpected arguments to numpy _reconstruct at offset \(at)") }
            return .ndarray(NDArrayBox())
        case "numpy.dtype":
            guard a.count == 3, let kind = string(a[0]), flag(a[1]) != nil, flag(a[2]) != nil else {
                throw fail("unexpected arguments to numpy.dtype at offset \(at)")
            }
            guard kind == "u1" else { throw fail("array of dtype \(kind); CIFAR-10 images are uint8 (u1)") }
            return .dtype(DTypeBox(name: kind))
        default:
            throw fail("refusing to call \(name) (offset \(at)); only numpy array reconstruction is allowed")
        }
    }

    private func build(_ target: PickleValue, _ state: PickleValue, at: Int) throws {
        guard case let .tuple(s) = state else { throw fail("BUILD state is not a tuple at offset \(at)") }
        switch target {
        case let .dtype(d):
            // (version 3, byte order '|', subarray, names, fields, elsize -1, alignment -1, flags 0)
            guard s.count == 8, case .int(3) = s[0], let order = string(s[1]), order == "|" || order == "<" || order == "=",
                  case .none = s[2], case .none = s[3], case .none = s[4] else {
                throw fail("unexpected numpy dtype state at offset \(at)")
            }
            d.built = true
        case let .ndarray(arr):
            // (version 1, shape, dtype, fortran order, raw bytes)
            guard s.count == 5, case .int(1) = s[0], case let .tuple(dims) = s[1],
                  case let .dtype(d) = s[2], d.built, d.name == "u1", let fortran = flag(s[3]),
                  case let .bytes(raw) = s[4] else {
                throw fail("unexpected numpy array state at offset \(at)")
            }
            guard !fortran else { throw fail("Fortran-ordered array; expected C order") }
            var shape: [Int] = []
            for dim in dims {
                guard case let .int(n) = dim, n >= 0 else { throw fail("bad array shape at offset \(at)") }
                shape.append(n)
            }
            var count = 1
            for n in shape {
                let (p, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow else { throw fail("array shape \(shape) is impossibly large at offset \(at)") }
                count = p
            }
            guard raw.count == count else {
                throw fail("array of shape \(shape) holds \(raw.count) bytes")
            }
            arr.shape = shape
            arr.data = raw
        default:
            throw fail("BUILD on an unexpected object at offset \(at)")
        }
    }
}
