import Glibc
import SystemPackage

/// The cgroup hierarchies of this host. The v2 one is always needed (a jail's processes
/// are counted and killed there); limits go to the hierarchy that holds their
/// controller: v2 where it is enabled, else the v1 hierarchy that has it (hybrid hosts).
public struct CgroupHierarchies: Sendable, Equatable {
    /// Mount point of cgroup2.
    public var unified: FilePath
    /// Controllers available at the v2 root (`cgroup.controllers`).
    public var unifiedControllers: Set<String>
    /// v1 controller name → mount point of its hierarchy.
    public var v1: [String: FilePath]
    /// This process's own cgroup in each hierarchy: "" for v2, else a controller name.
    public var own: [String: String]

    public init(unified: FilePath, unifiedControllers: Set<String>, v1: [String: FilePath], own: [String: String]) {
        self.unified = unified
        self.unifiedControllers = unifiedControllers
        self.v1 = v1
        self.own = own
    }

    /// From /proc/self/mountinfo and /proc/self/cgroup.
    public static func discover() throws(SystemError) -> CgroupHierarchies {
        let info = try readFile("/proc/self/mountinfo")
        var unified: FilePath?
        var v1: [String: FilePath] = [:]
        for line in info.split(separator: "\n") {
            // "... mountpoint options ... - fstype source superoptions"
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count, dash >= 5 else { continue }
            let point = FilePath(CgroupV2.unescape(String(fields[4])))
            if fields[dash + 1] == "cgroup2" {
                if unified == nil { unified = point }
            } else if fields[dash + 1] == "cgroup" {
                for option in fields[dash + 3].split(separator: ",") where v1[String(option)] == nil {
                    v1[String(option)] = point
                }
            }
        }
        guard let unified else {
            throw SystemError("find the cgroup2 hierarchy (mount it: cgroup2 on /sys/fs/cgroup/unified)",
                              .noSuchFileOrDirectory, path: "/proc/self/mountinfo")
        }
        let controllers = (try? readFile(unified.appending("cgroup.controllers"))) ?? ""
        return CgroupHierarchies(unified: unified,
                                 unifiedControllers: Set(controllers.split(whereSeparator: \.isWhitespace).map(String.init)),
                                 v1: v1.filter { Self.controllers.contains($0.key) },
                                 own: try ownCgroups())
    }

    /// The controllers jails may use; anything else in a v1 mount's options is noise.
    static let controllers: Set<String> = ["memory", "pids", "cpu", "cpuacct", "blkio", "io", "devices"]

    /// "N:controllers:/path" lines of /proc/self/cgroup.
    static func ownCgroups() throws(SystemError) -> [String: String] {
        var own: [String: String] = [:]
        for line in try readFile("/proc/self/cgroup").split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].isEmpty { own[""] = String(parts[2]) }
            for name in parts[1].split(separator: ",") { own[String(name)] = String(parts[2]) }
        }
        return own
    }

    /// Where jails live in the hierarchy of `controller` ("" for v2): `parent` below the
    /// root when absolute, below this process's own cgroup when relative.
    public func base(_ controller: String, parent: String) -> FilePath? {
        guard let mount = controller.isEmpty ? unified : v1[controller] else { return nil }
        let inside = parent.hasPrefix("/") ? parent : (own[controller] ?? "/") + "/" + parent
        var path = mount
        for component in inside.split(separator: "/") { path.append(String(component)) }
        return path
    }
}

/// A cgroup directory of either version, written as plain files.
public enum CgroupFiles {
    public static func write(_ directory: FilePath, _ file: String, _ value: String) throws(SystemError) {
        try writeFile(directory.appending(file), value)
    }

    public static func read(_ directory: FilePath, _ file: String) -> String? {
        try? readFile(directory.appending(file))
    }

    /// Every pid listed in `cgroup.procs` of `directory`.
    /// The processes of the cgroup and of the cgroups below it (a booted jail's systemd
    /// puts its services in cgroups of their own).
    public static func processes(_ directory: FilePath, depth: Int = 0) -> [Int32] {
        var pids = (read(directory, "cgroup.procs") ?? "").split(separator: "\n").compactMap { Int32($0) }
        if depth < 32 {
            for child in CgroupV2.subdirectories(directory) { pids += processes(directory.appending(child), depth: depth + 1) }
        }
        return pids
    }
}

/// The block devices I/O limits apply to: every whole disk in /sys/block ("major:minor";
/// cgroup I/O throttling takes devices one by one, so disks added later are not covered).
public enum BlockDevices {
    public static func all() -> [String] {
        var out: [String] = []
        for name in (try? directoryEntries("/sys/block")) ?? [] {
            guard !name.hasPrefix("."), let dev = try? readFile(FilePath("/sys/block/\(name)/dev")) else { continue }
            out.append(String(dev.filter { !$0.isWhitespace }))
        }
        return out.sorted()
    }
}

extension CgroupV2 {
    /// Freezes (or thaws) every process of the cgroup and below, and waits until the kernel
    /// says it is done: nothing in it can fork while its processes are moved.
    public static func freeze(_ path: FilePath, _ frozen: Bool) throws(SystemError) {
        try writeFile(path.appending("cgroup.freeze"), frozen ? "1" : "0")
        guard frozen else { return }
        for _ in 0..<1000 {
            if (try? readFile(path.appending("cgroup.events")))?.contains("frozen 1") == true { return }
            var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            unsafe _ = nanosleep(&ts, nil)
        }
        throw SystemError("freeze", .timedOut, path: path)
    }
}

/// The `cgroup.procs` files of a jail's v1 cgroups, open for the child to enter them.
public struct CgroupEntries: ~Copyable {
    public let descriptors: [Int32]

    public init(_ directories: [String]) throws(SystemError) {
        var fds: [Int32] = []
        for d in directories {
            do { fds.append(try OwnedFD.open(FilePath(d).appending("cgroup.procs"), O_WRONLY).release()) } catch {
                for fd in fds { _ = Glibc.close(fd) }
                throw error
            }
        }
        descriptors = fds
    }

    deinit { for fd in descriptors { _ = Glibc.close(fd) } }
}
