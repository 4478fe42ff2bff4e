/// One member of an archive as tar extracts it: extended headers (pax 'x', GNU 'L'/'K')
/// already applied to its name, link target and size.
public struct TarEntry: Sendable, Equatable {
    public var path: String
    public var kind: TarHeader.Kind
    public var linkTarget: String
    public var size: Int64
    public var mode: UInt32
    public var deviceMajor: Int64
    public var deviceMinor: Int64
}

/// Reads a tar stream fed in pieces of any size and reports each entry once its header
/// (and the extended headers before it) is complete, skipping file data. Kept in step
/// with GNU tar, which extracts the same bytes: the pax `size` and `path`/`linkpath`
/// keywords are honoured, entries without data must say so (size 0), and what it cannot
/// follow exactly (sparse files, global headers that rename, a lone zero block followed
/// by more entries) is refused.
public struct TarReader {
    private enum State {
        case header
        /// File data to skip, padding included.
        case skip(Int64)
        /// An extended header's data, `size` bytes of it kept, `padded` in all.
        case collect(TarHeader.Kind, size: Int, padded: Int)
        case ended
    }

    /// Extended headers larger than this are refused: a name is at most a few KiB.
    public static let metadataLimit = 1 << 20
    /// Sizes from 2^60 bytes up are refused (padding them would overflow).
    static let sizeLimit: Int64 = 1 << 60

    private var state = State.header
    private var buffer: [UInt8] = []
    private var zeroBlocks = 0
    private var pendingPax: [String: String]?
    private var pendingLongName: String?
    private var pendingLongLink: String?
    /// Bytes of the stream taken so far (up to the end marker, once it is seen).
    public private(set) var offset: Int64 = 0
    public private(set) var entries = 0

    public init() {}

    /// True once the end-of-archive marker has been read: later bytes are not part of it.
    public var isFinished: Bool {
        if case .ended = state { return true }
        return false
    }

    /// Takes the next bytes of the stream; `each` sees every completed entry, in order,
    /// and may refuse it. Returns how many of these bytes belong to the archive (fewer
    /// than given only when its end marker is among them).
    @discardableResult
    public mutating func feed(_ bytes: ArraySlice<UInt8>, _ each: (TarEntry) throws(TarError) -> Void) throws(TarError) -> Int {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            switch state {
            case .ended:
                return i - bytes.startIndex
            case .header:
                let take = min(TarHeader.blockSize - buffer.count, bytes.endIndex - i)
                buffer += bytes[i..<(i + take)]
                i += take
                offset += Int64(take)
                if buffer.count == TarHeader.blockSize {
                    let block = buffer
                    buffer.removeAll(keepingCapacity: true)
                    try header(block, each)
                }
            case .skip(let remaining):
                let take = Int(min(remaining, Int64(bytes.endIndex - i)))
                i += take
                offset += Int64(take)
                state = remaining == Int64(take) ? .header : .skip(remaining - Int64(take))
            case .collect(let kind, let size, let padded):
                let take = min(padded - buffer.count, bytes.endIndex - i)
                buffer += bytes[i..<(i + take)]
                i += take
                offset += Int64(take)
                if buffer.count == padded {
                    let data = Array(buffer[0..<size])
                    buffer.removeAll(keepingCapacity: true)
                    state = .header
                    try extended(kind, data)
                }
            }
        }
        return i - bytes.startIndex
    }

    /// At the end of the stream: the archive must not stop inside an entry.
    public func finish() throws(TarError) {
        switch state {
        case .ended: return
        case .header where buffer.isEmpty && pendingPax == nil && pendingLongName == nil && pendingLongLink == nil:
            return
        default:
            throw TarError("unexpected end of the archive after \(offset) bytes (truncated)")
        }
    }

    private mutating func header(_ block: [UInt8], _ each: (TarEntry) throws(TarError) -> Void) throws(TarError) {
        let at = offset - Int64(TarHeader.blockSize)
        let parsed: TarHeader?
        do { parsed = try TarHeader.parse(block[...]) } catch { throw TarError("at byte \(at): \(error.message)") }
        guard let h = parsed else {
            guard pendingPax == nil && pendingLongName == nil && pendingLongLink == nil else {
                throw TarError("at byte \(at): an extended header without its entry")
            }
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .ended }
            return
        }
        // GNU tar reads on after a lone zero block; a checker that stopped there would
        // let it extract entries nobody looked at.
        guard zeroBlocks == 0 else { throw TarError("at byte \(at): entries after a zero block") }
        guard h.size >= 0 && h.size < Self.sizeLimit else { throw TarError("at byte \(at): a size out of range") }
        switch h.kind {
        case .paxExtended, .paxGlobal, .gnuLongName, .gnuLongLink:
            guard h.size <= Int64(Self.metadataLimit) else {
                throw TarError("at byte \(at): an extended header of \(h.size) bytes (more than \(Self.metadataLimit))")
            }
            let size = Int(h.size)
            if size == 0 {
                try extended(h.kind, [])
            } else {
                state = .collect(h.kind, size: size, padded: Self.padded(Int64(size)))
            }
            return
        default:
            break
        }
        var entry = TarEntry(path: h.name, kind: h.kind, linkTarget: h.linkName, size: h.size, mode: h.mode,
                             deviceMajor: h.deviceMajor, deviceMinor: h.deviceMinor)
        let pax = pendingPax ?? [:]
        // Both kinds of long name for one entry: readers disagree on which wins.
        if let name = pendingLongName, let path = pax["path"], name != path {
            throw TarError("entry `\(path)`: named twice (GNU long name `\(name)`)")
        }
        if let link = pendingLongLink, let path = pax["linkpath"], link != path {
            throw TarError("entry `\(entry.path)`: two link targets (`\(link)`, `\(path)`)")
        }
        if let name = pendingLongName { entry.path = name }
        if let link = pendingLongLink { entry.linkTarget = link }
        if let path = pax["path"] { entry.path = path }
        if let link = pax["linkpath"] { entry.linkTarget = link }
        if let text = pax["size"] {
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let size = Int64(text), size < Self.sizeLimit else {
                throw TarError("entry `\(entry.path)`: a bad pax size \"\(text)\"")
            }
            entry.size = size
        }
        pendingPax = nil
        pendingLongName = nil
        pendingLongLink = nil
        // GNU tar reads no data for these types whatever the size says; any other
        // reader might. Data where none belongs is refused so that both agree.
        if entry.kind != .file && entry.size != 0 {
            throw TarError("entry `\(entry.path)`: a \(Self.describe(entry.kind)) with \(entry.size) bytes of data")
        }
        entries += 1
        try each(entry)
        if entry.kind == .file && entry.size > 0 { state = .skip(Int64(Self.padded(entry.size))) }
    }

    private mutating func extended(_ kind: TarHeader.Kind, _ data: [UInt8]) throws(TarError) {
        switch kind {
        case .gnuLongName, .gnuLongLink:
            // The name, NUL-terminated; nothing may follow the NUL.
            let end = data.firstIndex(of: 0) ?? data.endIndex
            guard data[end...].allSatisfy({ $0 == 0 }) else { throw TarError("a GNU long name with bytes after its end") }
            let name = String(decoding: data[..<end], as: UTF8.self)
            // A second one before the entry: which one a reader keeps is not defined.
            guard (kind == .gnuLongName ? pendingLongName : pendingLongLink) == nil else {
                throw TarError("two GNU long names for one entry")
            }
            if kind == .gnuLongName { pendingLongName = name } else { pendingLongLink = name }
        case .paxExtended, .paxGlobal:
            let records = try Self.paxRecords(data)
            for (key, value) in records where key.hasPrefix("GNU.sparse.") {
                throw TarError("a sparse file (\(key)=\(value)): not supported")
            }
            if kind == .paxGlobal {
                // Keywords in a global header apply to every entry after it; GNU tar
                // does not rename by them, so a checker must not either: refused.
                for key in ["path", "linkpath", "size"] where records[key] != nil {
                    throw TarError("a global pax header that sets \"\(key)\": not supported")
                }
            } else {
                // GNU tar keeps only the last of two in a row, others merge them.
                guard pendingPax == nil else { throw TarError("two pax headers for one entry") }
                pendingPax = records
            }
        default:
            break
        }
    }

    /// pax records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record.
    static func paxRecords(_ data: [UInt8]) throws(TarError) -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < data.count {
            // GNU tar stops at a NUL where a record would begin (padding).
            if data[i] == 0 { break }
            var j = i
            var length = 0
            while j < data.count, data[j] >= UInt8(ascii: "0"), data[j] <= UInt8(ascii: "9"), j - i < 10 {
                length = length * 10 + Int(data[j] - UInt8(ascii: "0"))
                j += 1
            }
            guard j > i, j < data.count, data[j] == UInt8(ascii: " "), length > j - i + 1, i + length <= data.count,
                  data[i + length - 1] == UInt8(ascii: "\n")
            else { throw TarError("a malformed pax header") }
            let record = data[(j + 1)..<(i + length - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")), eq > record.startIndex else {
                throw TarError("a malformed pax header")
            }
            let key = String(decoding: record[record.startIndex..<eq], as: UTF8.self)
            let valueBytes = record[(eq + 1)...]
            if (key == "path" || key == "linkpath") && valueBytes.contains(0) {
                throw TarError("a pax \(key) with a NUL byte")
            }
            out[key] = String(decoding: valueBytes, as: UTF8.self)
            i += length
        }
        return out
    }

    static func padded(_ size: Int64) -> Int {
        Int((size + 511) / 512 * 512)
    }

    static func describe(_ kind: TarHeader.Kind) -> String {
        switch kind {
        case .file: return "regular file"
        case .hardLink: return "hard link"
        case .symbolicLink: return "symbolic link"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .directory: return "directory"
        case .fifo: return "fifo"
        case .paxExtended, .paxGlobal: return "pax header"
        case .gnuLongName, .gnuLongLink: return "GNU long name"
        case .unsupported(let flag): return "entry of type '\(String(decoding: [flag], as: UTF8.self))'"
        }
    }
}
