/// fstab(5) lines as jail(8) reads them for the `mount` parameter and `mount.fstab` files
/// (usr.sbin/jail/command.c, `IP_MOUNT`; config.c for the files).
///
/// jail(8) does not use getfsent(3): it splits a line at blanks, tabs and other white space,
/// keeps the first four fields (source, target, type, options), decodes the first two with
/// strunvis(3), and runs `mount -t type [-o options] source target`. Fewer than three fields
/// is "missing information"; a line of three fields has no options, which mount(8) takes as
/// `rw`; the dump and pass fields, and anything after them, are ignored, present or not.
public enum Fstab {
    /// One `mount` parameter value: a single fstab line.
    public static func parseLine(_ line: String) throws(MountError) -> MountEntry {
        let fields = line.utf8.split(whereSeparator: isFieldSeparator).prefix(4)
        guard !fields.isEmpty else {
            // jail(8) skips an empty value; a caller holding one has nothing to mount.
            throw MountError(.syntax, "empty mount line; give \"source target type [options]\"")
        }
        guard fields.count >= 3 else {
            throw MountError(
                .syntax, "mount line \(quoted(line)): missing information; give \"source target type [options]\"")
        }
        let source = try decodedField(fields[0], line: line)
        let target = try decodedField(fields[1], line: line)
        let type = String(decoding: fields[2], as: UTF8.self)
        let written =
            fields.count == 4
            ? String(decoding: fields[3], as: UTF8.self).split(separator: ",").map(String.init) : []

        guard let family = FileSystemFamily(type: type) else {
            throw MountError(
                .unsupported,
                "file system type \(quoted(type)) cannot be mounted by a Linux jail; mount it on the host and bind it with nullfs (jails mount \(FileSystemFamily.supported))"
            )
        }
        guard target.hasPrefix("/") else {
            throw MountError(
                .path,
                "mount target \(quoted(target)) is not an absolute path; give the host path under the jail's path")
        }
        var options = try MountOptions.parse(written, family: family, type: type)
        let kind: MountEntry.Kind
        switch family {
        case .bind:
            let recursive = options.recursive ?? (type == "rbind")
            if type == "none" && options.recursive == nil {
                throw MountError(.syntax, "mount type \"none\" needs the bind or rbind option, as in \"none bind\"")
            }
            guard source.hasPrefix("/") else {
                throw MountError(
                    .path, "\(type) source \(quoted(source)) is not an absolute path; give the host directory to bind")
            }
            kind = .bind(readOnly: options.readOnly, recursive: recursive)
        case .tmpfs:
            kind = .tmpfs(options: options.tmpfsOptions)
        case .proc:
            kind = .proc
        case .fdescfs:
            kind = .fdescfs
        case .sysfs:
            options.readOnly = true
            kind = .sysfs
        case .devfs:
            kind = .devfs(ruleset: options.devfsRuleset)
        }
        return MountEntry(
            source: source, target: target, type: type, kind: kind, readOnly: options.readOnly,
            noSuid: options.noSuid, noExec: options.noExec, noDev: options.noDev,
            noSymFollow: options.noSymFollow, noAtime: options.noAtime, options: written)
    }

    /// A mount.fstab file, as jail(8) reads it: a `#` anywhere starts a comment that runs to
    /// the end of the line, and lines with no fields are skipped. Each other line is one
    /// mount, checked as `parseLine` checks it; the first error is thrown as `path:line: `.
    public static func parseFile(_ text: String, path: String) throws(MountError) -> [MountEntry] {
        var entries: [MountEntry] = []
        // Swift reads "\r\n" as one Character, so files with Windows line ends count right.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.prefix { $0 != "#" }
            guard line.utf8.contains(where: { !isFieldSeparator($0) }) else {
                continue
            }
            do {
                entries.append(try parseLine(String(line)))
            } catch {
                throw error.at(file: path, line: index + 1)
            }
        }
        return entries
    }

    /// The target relative to the jail's root: "/jails/www/usr/ports" with path "/jails/www"
    /// is "usr/ports"; "" when it is the root itself. Repeated and trailing slashes and "."
    /// components are dropped; a relative path, a ".." component, or a target outside the
    /// jail's path is an error. Components compare whole: "/jails/wwwx" is not in "/jails/www".
    public static func relativeTarget(_ target: String, jailPath: String) throws(MountError) -> String {
        let root = try components(of: jailPath, what: "jail path", in: target)
        let path = try components(of: target, what: "mount target", in: jailPath)
        guard path.starts(with: root) else {
            throw MountError(
                .path,
                "mount target \(quoted(target)) is outside the jail's path \(quoted(jailPath)); give a path under it")
        }
        return path.dropFirst(root.count).joined(separator: "/")
    }

    private static func components(of path: String, what: String, in other: String)
        throws(MountError) -> [Substring]
    {
        guard path.hasPrefix("/") else {
            throw MountError(.path, "\(what) \(quoted(path)) is not an absolute path; give it from /")
        }
        let parts = path.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") {
            // ".." would be resolved against the host's tree before the jail exists, and
            // could name a directory outside the jail; FreeBSD's check_path does not catch it.
            throw MountError(.path, "\(what) \(quoted(path)) contains \"..\"; give the path without it")
        }
        return parts
    }
}

/// The separators of jail(8)'s strtok: blank, tab, form feed, vertical tab, CR, LF.
private func isFieldSeparator(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0d).contains(byte)
}

/// A source or target field decoded from vis(3) escapes, as jail(8) decodes them.
private func decodedField(_ field: Substring.UTF8View.SubSequence, line: String) throws(MountError) -> String {
    let text = String(decoding: field, as: UTF8.self)
    guard let bytes = Unvis.decode(field) else {
        throw MountError(
            .syntax,
            "mount line \(quoted(line)): bad escape in \(quoted(text)); write a space as \\040 and a backslash as \\\\")
    }
    guard !bytes.contains(0) else {
        throw MountError(
            .syntax, "mount line \(quoted(line)): \(quoted(text)) decodes to a NUL byte, which no path can hold")
    }
    guard let decoded = String(validating: bytes, as: UTF8.self) else {
        throw MountError(.syntax, "mount line \(quoted(line)): \(quoted(text)) does not decode to UTF-8 text")
    }
    return decoded
}
