/// The options field of a mount line, read as mount(8) and the file system read it: items
/// separated by commas, empty items skipped, the rightmost of two conflicting options wins.
///
/// The common flags are mount(8)'s (getmntopts matches them without regard to case):
/// `ro`/`rdonly`/`rw`, `suid`/`nosuid`, `exec`/`noexec`, `symfollow`/`nosymfollow`,
/// `atime`/`noatime`, plus Linux's `dev`/`nodev`. `auto`, `noauto`, `late` and `failok` are
/// taken and do nothing: they steer `mount -a` over /etc/fstab, and jail(8) runs mount(8) on
/// one line with source and target given, where none of them has an effect.
struct MountOptions {
    var readOnly = false
    var noSuid = false
    var noExec = false
    var noDev = false
    var noSymFollow = false
    var noAtime = false
    /// For binds: `rbind` was the last of `bind`/`rbind`; nil when neither was given.
    var recursive: Bool?
    /// tmpfs options for Linux, by Linux name, the last value of each.
    var tmpfs: [String: String] = [:]
    var devfsRuleset: Int?

    static func parse(_ items: [String], family: FileSystemFamily, type: String)
        throws(MountError) -> MountOptions
    {
        var options = MountOptions()
        for item in items {
            try options.apply(item, family: family, type: type)
        }
        return options
    }

    /// The tmpfs options in Linux's order of importance, for `MountEntry.Kind.tmpfs`.
    var tmpfsOptions: [String] {
        ["size", "nr_inodes", "mode", "uid", "gid"].compactMap { key in
            tmpfs[key].map { "\(key)=\($0)" }
        }
    }

    private mutating func apply(_ item: String, family: FileSystemFamily, type: String)
        throws(MountError)
    {
        let name: Substring
        let value: Substring?
        if let equals = item.firstIndex(of: "=") {
            name = item[..<equals]
            value = item[item.index(after: equals)...]
        } else {
            name = Substring(item)
            value = nil
        }
        if let flag = commonFlags[name.lowercased()] {
            guard value == nil else {
                throw MountError(.syntax, "mount option \(quoted(item)) takes no value; write \(quoted(name))")
            }
            switch flag.field {
            case .readOnly: readOnly = flag.value
            case .noSuid: noSuid = flag.value
            case .noExec: noExec = flag.value
            case .noDev: noDev = flag.value
            case .noSymFollow: noSymFollow = flag.value
            case .noAtime: noAtime = flag.value
            case nil: break
            }
            return
        }
        if try applyOwn(String(name), value: value.map(String.init), family: family, type: type) {
            return
        }
        if unsupportedOptions.contains(name.lowercased()) {
            throw MountError(
                .unsupported, "mount option \(quoted(item)) has no counterpart in a Linux jail; remove it")
        }
        let own = family.ownOptions
        let takes =
            (own.isEmpty ? "" : own.joined(separator: ", ") + " and ")
            + "ro, rw, nosuid, noexec, nodev, nosymfollow, noatime"
        throw MountError(.syntax, "unknown mount option \(quoted(name)) for \(type); \(type) takes \(takes)")
    }

    /// Applies an option of the family's own; false when the family has no such option.
    private mutating func applyOwn(
        _ name: String, value: String?, family: FileSystemFamily, type: String
    ) throws(MountError) -> Bool {
        switch (family, name) {
        case (.bind, "bind"), (.bind, "rbind"):
            try noValue(name, value)
            recursive = name == "rbind"
        case (.bind, "cache"), (.bind, "nocache"):
            // nullfs's metadata cache has no Linux counterpart: a bind shares the
            // source's inodes and caches.
            try noValue(name, value)
        case (.fdescfs, "linrdlnk"), (.fdescfs, "rdlnk"), (.fdescfs, "nodup"):
            // Linux's /proc/self/fd links already behave as these ask: readlink gives the
            // file's path and open reopens the file rather than duplicating the descriptor.
            try noValue(name, value)
        case (.tmpfs, "size"), (.tmpfs, "inodes"):
            let text = try needValue(name, value, type: type, example: name == "size" ? "1g" : "10k")
            guard let number = kernelSize(text) else {
                throw MountError(
                    .syntax,
                    "invalid \(type) \(name) \(quoted(text)); use a number with an optional k, m, g or t suffix")
            }
            tmpfs[name == "size" ? "size" : "nr_inodes"] = String(number)
        case (.tmpfs, "mode"):
            let text = try needValue(name, value, type: type, example: "1777")
            guard let mode = octalMode(text) else {
                throw MountError(
                    .syntax, "invalid \(type) mode \(quoted(text)); use an octal mode from 0 to 7777, as in 1777")
            }
            tmpfs["mode"] = String(mode, radix: 8)
        case (.tmpfs, "uid"), (.tmpfs, "gid"):
            let text = try needValue(name, value, type: type, example: "0")
            guard let id = UInt32(text), id != UInt32.max, text.allSatisfy(\.isASCII) else {
                throw MountError(.syntax, "invalid \(type) \(name) \(quoted(text)); use a number")
            }
            tmpfs[name] = String(id)
        case (.devfs, "ruleset"):
            let text = try needValue(name, value, type: type, example: "4")
            guard let number = UInt16(text), text.allSatisfy(\.isASCII) else {
                throw MountError(.syntax, "invalid devfs ruleset \(quoted(text)); use a number from 0 to 65535")
            }
            devfsRuleset = Int(number)
        default:
            return false
        }
        return true
    }

    private func noValue(_ name: String, _ value: String?) throws(MountError) {
        if let value {
            throw MountError(
                .syntax, "mount option \(quoted(name + "=" + value)) takes no value; write \(quoted(name))")
        }
    }

    private func needValue(_ name: String, _ value: String?, type: String, example: String)
        throws(MountError) -> String
    {
        guard let value, !value.isEmpty else {
            throw MountError(.syntax, "\(type) option \(quoted(name)) needs a value, as in \(name)=\(example)")
        }
        return value
    }
}

/// An octal file mode of at most 7777, as tmpfs reads `mode` and devfs rules read `mode`.
func octalMode(_ text: some StringProtocol) -> UInt32? {
    guard !text.isEmpty, text.allSatisfy({ ("0"..."7").contains($0) }), text.count <= 12,
        let mode = UInt32(text, radix: 8), mode <= 0o7777
    else {
        return nil
    }
    return mode
}

private struct Flag: Sendable {
    enum Field: Sendable {
        case readOnly, noSuid, noExec, noDev, noSymFollow, noAtime
    }

    /// The field the flag sets; nil for the flags that only steer `mount -a`.
    var field: Field?
    var value: Bool

    init(_ field: Field?, _ value: Bool) {
        self.field = field
        self.value = value
    }
}

private let commonFlags: [String: Flag] = [
    "ro": Flag(.readOnly, true),
    "rdonly": Flag(.readOnly, true),
    "rw": Flag(.readOnly, false),
    "nosuid": Flag(.noSuid, true),
    "suid": Flag(.noSuid, false),
    "noexec": Flag(.noExec, true),
    "exec": Flag(.noExec, false),
    "nodev": Flag(.noDev, true),
    "dev": Flag(.noDev, false),
    "nosymfollow": Flag(.noSymFollow, true),
    "symfollow": Flag(.noSymFollow, false),
    "noatime": Flag(.noAtime, true),
    "atime": Flag(.noAtime, false),
    "auto": Flag(nil, false),
    "noauto": Flag(nil, false),
    "late": Flag(nil, false),
    "failok": Flag(nil, false),
]

/// Options FreeBSD's mount(8) or its file systems take that mean nothing a Linux jail can
/// honour: I/O modes, quotas, MAC labels, ACL flags, union mounts, update and force (jail(8)
/// mounts afresh), and tmpfs's limits Linux's tmpfs lacks.
private let unsupportedOptions: Set<String> = [
    "async", "noasync", "sync", "union", "suiddir", "multilabel", "acls", "nfsv4acls",
    "clusterr", "noclusterr", "clusterw", "noclusterw", "userquota", "groupquota", "snapshot",
    "update", "force", "emptydir", "cover", "nocover", "automounted", "untrusted", "current",
    "fstab", "mountprog", "maxfilesize", "easize", "nonc", "nomtime", "pgread",
]
