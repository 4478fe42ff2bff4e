import Glibc
import JailSys
import SystemPackage

extension Bootstrap {
    /// `jail bootstrap tar ARCHIVE TARGET`: the archive (plain tar, gzip, xz or zstd, told
    /// by its first bytes) checked entry by entry and extracted with owners and modes as
    /// recorded. One pass: the decompressor's output goes through our checks
    /// (`TarReader`, `ArchiveChecks`) and on to `tar -x`, each header checked before tar
    /// sees it, so what is extracted is exactly what was checked, with no second reading
    /// of a file that could change in between. The tree is built in `.TARGET.partial`
    /// and renamed into place when complete; a failure or an interruption removes it, a
    /// killed run leaves it under that name, and the next run removes it first.
    public static func tarball(_ archive: String, into target: String) throws(JailError) {
        let t = try BootstrapTarget(target)
        let state = try t.state()
        guard state == .absent || state == .empty else { throw t.refusal(state) }
        if state == .empty { try t.checkOwned(t.path) }

        let file: OwnedFD
        do { file = try OwnedFD.open(FilePath(archive), O_RDONLY) } catch {
            throw failure("\(archive): \(SystemError.message(error.errno))")
        }
        let fd = file.rawValue
        var st = stat()
        guard unsafe fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw failure("\(archive): not a regular file")
        }
        var head = [UInt8](repeating: 0, count: 512)
        let got = unsafe head.withUnsafeMutableBytes { unsafe pread(fd, $0.baseAddress, $0.count, 0) }
        guard let compression = ArchiveCompression.detect(Array(head[0..<max(got, 0)])) else {
            throw failure("\(archive): not a tar archive, nor one compressed with gzip, xz or zstd")
        }
        guard let tar = HelperProcess.tool("tar") else { throw failure("tar is not installed (apt-get install tar)") }
        var decompressor: [String]?
        if let argv = compression.decompressor {
            guard let path = HelperProcess.tool(argv[0]) else {
                throw failure("\(archive) is \(compression.rawValue)-compressed, and \(argv[0]) is not installed (apt-get install \(compression.package))")
            }
            decompressor = [path] + argv.dropFirst()
        }

        let interrupts: Interrupts
        do { interrupts = try Interrupts() } catch { throw failure("\(error)") }
        try t.makeParents()
        try removeStalePartial(t)
        if unsafe mkdir(t.partial, 0o700) != 0 {
            throw failure("mkdir `\(t.partial)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
        }
        let held = try t.lock(t.partial)
        var progress = ProgressLine()
        let size = Int64(st.st_size)
        progress.note("bootstrap: extracting \(archive) (\(compression.rawValue), \(mebibytes(size))) into \(t.path)")
        let entries: Int
        do throws(JailError) {
            try t.writeMarker("tar \(archive)\n", in: t.partial)
            // tar may stop reading early: EPIPE for us then, rather than death by SIGPIPE.
            // Helpers get the default back when they start.
            let oldHandler = Glibc.signal(SIGPIPE, SIG_IGN)
            defer { _ = Glibc.signal(SIGPIPE, oldHandler) }
            entries = try extract(archive, file: fd, size: size, decompressor: decompressor, tar: tar, into: t.partial,
                                  interrupts: interrupts, progress: &progress)
            try t.removeMarker(in: t.partial)
            // Onto an empty directory, rename(2) replaces it.
            if unsafe rename(t.partial, t.path) != 0 {
                throw failure("rename `\(t.partial)` to `\(t.path)`: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
            }
        } catch {
            progress.end()
            try? TreeRemoval.remove(t.partial)
            throw error
        }
        // Kept open until here: `fd` is only borrowed from it.
        file.close()
        held.close()
        progress.note("bootstrap: \(t.path): \(entries) entries from \(archive)")
    }

    /// A `.TARGET.partial` left by a killed run is ours when it holds our marker (or
    /// nothing: killed before the marker was written); anything else there is refused.
    private static func removeStalePartial(_ t: BootstrapTarget) throws(JailError) {
        var st = stat()
        guard unsafe lstat(t.partial, &st) == 0 else { return }
        let names = (st.st_mode & S_IFMT) == S_IFDIR ? ((try? directoryEntries(t.partial)) ?? ["?"]) : ["?"]
        guard names.isEmpty || names.contains(ArchiveChecks.reservedName) else {
            throw failure("\(t.partial) exists and was not made by jail bootstrap; remove it or choose another target")
        }
        // Not while another run is extracting into it.
        let held = try t.lock(t.partial)
        try TreeRemoval.remove(t.partial)
        held.close()
    }

    /// The pipeline: [decompressor →] checks → tar -x. Returns the number of entries.
    private static func extract(
        _ archive: String, file: Int32, size: Int64, decompressor: [String]?, tar: String,
        into directory: String, interrupts: borrowing Interrupts, progress: inout ProgressLine
    ) throws(JailError) -> Int {
        let tarInput: (read: Int32, write: Int32)
        do { tarInput = try makePipe() } catch { throw failure("\(error)") }
        // Our end of tar's input, closed once the archive's end marker has gone through
        // (or on any failure, at the latest when we return).
        var tarWrite = tarInput.write
        defer { if tarWrite >= 0 { _ = close(tarWrite) } }
        let extractor: HelperProcess
        do {
            defer { _ = close(tarInput.read) }
            extractor = try HelperProcess([tar, "--numeric-owner", "--same-owner", "-xpf", "-", "-C", directory],
                                          input: tarInput.read)
        }
        // The decompressor reads the archive through our descriptor: the file offset is
        // shared, so where it has got to is our progress.
        var unpacker: HelperProcess?
        var input = file
        if let decompressor {
            let pipe: (read: Int32, write: Int32)
            do { pipe = try makePipe() } catch { throw failure("\(error)") }
            defer { _ = close(pipe.write) }
            do { unpacker = try HelperProcess(decompressor, input: file, output: pipe.write) } catch {
                _ = close(pipe.read)
                throw error
            }
            input = pipe.read
        }
        defer { if input != file { _ = close(input) } }
        func closeTarInput() {
            if tarWrite >= 0 { _ = close(tarWrite) }
            tarWrite = -1
        }

        var reader = TarReader()
        var checks = ArchiveChecks()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: interrupts.descriptor, events: Int16(POLLIN), revents: 0)]
        var lastPercent = -1
        var checkFailure: TarError?
        reading: while true {
            let ready = unsafe poll(&fds, 2, 250)
            if let signo = interrupts.pending() {
                throw failure("interrupted by \(signalName(signo)); nothing was kept")
            }
            let position = Int64(lseek(file, 0, SEEK_CUR))
            let percent = size > 0 ? Int(min(100, position * 100 / size)) : 100
            if percent != lastPercent {
                lastPercent = percent
                progress.show("bootstrap: extracting: \(percent)% (\(mebibytes(position)) of \(mebibytes(size)))", stage: false)
            }
            guard ready > 0, fds[0].revents != 0 else { continue }
            let n = unsafe buffer.withUnsafeMutableBytes { unsafe read(input, $0.baseAddress, $0.count) }
            if n < 0 {
                if Glibc.errno == EINTR || Glibc.errno == EAGAIN { continue }
                throw failure("\(archive): read: \(SystemError.message(Errno(rawValue: Glibc.errno)))")
            }
            if n == 0 { break }
            // Past the end marker the rest is drained only (the decompressor must still
            // reach the end of its stream to say whether it is intact).
            if reader.isFinished { continue }
            let used: Int
            do {
                used = try reader.feed(buffer[0..<n]) { (entry: TarEntry) throws(TarError) in try checks.check(entry) }
            } catch {
                checkFailure = error
                break reading
            }
            if used > 0 && tarWrite >= 0 {
                do { try OwnedFD.writeAll(tarWrite, buffer[0..<used]) } catch {
                    // tar stopped reading: its own message says why (below).
                    break reading
                }
            }
            if reader.isFinished { closeTarInput() }
        }
        closeTarInput()
        if let checkFailure {
            throw failure("\(archive): \(checkFailure)")
        }
        if let unpacker {
            // A corrupt or truncated stream: the decompressor's own words.
            guard unpacker.wait() == 0 else { throw failure("\(archive): \(unpacker.message())") }
        }
        if extractor.wait() != 0 { throw failure("\(archive): \(extractor.message())") }
        do { try reader.finish() } catch { throw failure("\(archive): \(error)") }
        progress.show("bootstrap: extracting: 100% (\(mebibytes(size)) of \(mebibytes(size)))", stage: false)
        return reader.entries
    }

    static func mebibytes(_ bytes: Int64) -> String {
        if bytes < 1 << 10 { return "\(bytes) bytes" }
        if bytes < 1 << 20 { return "\(bytes >> 10) KiB" }
        return "\(bytes >> 20) MiB"
    }
}
