/// One file system to mount for a jail: a `mount` parameter value or a line of a
/// `mount.fstab` file, as jail(8) reads them, turned into what Linux can mount.
///
/// jail(8) hands each line to mount(8) on the host before the jail exists and unmounts it
/// after the jail is gone; the Linux side mounts it inside the jail's mount namespace, at
/// `Fstab.relativeTarget(target, jailPath:)` below the jail's root.
public struct MountEntry: Sendable, Equatable {
    /// What to mount, by the Linux mechanism that does it.
    public enum Kind: Sendable, Equatable {
        /// A bind mount of the host path `source`: FreeBSD's nullfs, Linux's `bind` and
        /// `rbind` (type `none` with option `bind` or `rbind`, or those names as the type).
        /// nullfs does not show file systems mounted below its source, so it is a plain bind;
        /// `recursive` is set only by `rbind`. `readOnly` repeats the entry's, because a
        /// read-only bind takes a second, remounting step on Linux.
        case bind(readOnly: Bool, recursive: Bool)
        /// tmpfs, with the options Linux's tmpfs takes, mapped from FreeBSD's names:
        /// `size=` (bytes), `nr_inodes=` (from `inodes`), `mode=` (octal), `uid=`, `gid=`.
        case tmpfs(options: [String])
        /// procfs, linprocfs or proc: the jail's own /proc (Linux's proc shows the mounting
        /// process's pid namespace, so the jail sees its own processes).
        case proc
        /// fdescfs: /dev/fd. On Linux, links into /proc/self/fd.
        case fdescfs
        /// linsysfs or sysfs, always read-only: writes to sysfs reach the host's kernel objects.
        case sysfs
        /// devfs, as the Handbook's Linux jail mounts it below /compat: a /dev filtered by a
        /// devfs ruleset (`ruleset=N`); nil when the line names none. FreeBSD would then show
        /// every device; the mount layer uses the jail's ruleset instead (see
        /// `DevfsRules.effectiveRuleset`).
        case devfs(ruleset: Int?)
    }

    /// The absolute host path for a bind; the file system's name otherwise (`tmpfs`, `proc`).
    /// Decoded from vis(3) escapes as jail(8) decodes it (`\040` is a space).
    public var source: String
    /// The mount point as written: an absolute host path, normally under the jail's path.
    public var target: String
    /// The file system type as written (`nullfs`, `linprocfs`), for messages and jls.
    public var type: String
    public var kind: Kind
    public var readOnly: Bool
    public var noSuid: Bool
    public var noExec: Bool
    public var noDev: Bool
    /// FreeBSD's `nosymfollow`; Linux's `MOUNT_ATTR_NOSYMFOLLOW` (Linux 5.10).
    public var noSymFollow: Bool
    /// `noatime`.
    public var noAtime: Bool
    /// The options field as written, split at commas, for messages and jls.
    public var options: [String]

    public init(
        source: String, target: String, type: String, kind: Kind, readOnly: Bool = false,
        noSuid: Bool = false, noExec: Bool = false, noDev: Bool = false,
        noSymFollow: Bool = false, noAtime: Bool = false, options: [String] = []
    ) {
        self.source = source
        self.target = target
        self.type = type
        self.kind = kind
        self.readOnly = readOnly
        self.noSuid = noSuid
        self.noExec = noExec
        self.noDev = noDev
        self.noSymFollow = noSymFollow
        self.noAtime = noAtime
        self.options = options
    }
}
