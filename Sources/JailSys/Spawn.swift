import CJail
import Glibc
import SystemPackage

/// One set-up step, executed in order by the child inside the jail's new namespaces.
/// `base` (1-7) makes a path relative to a file system the child mounted earlier and kept in
/// that slot (`fsMount(slot:)`): inside our own fresh /dev, /proc and /sys nothing is looked
/// up again through the jail's tree, which a second jail on it could be changing.
public enum SetupStep: Sendable, Equatable {
    /// mount(2) on host paths, before the jail's root exists (propagation).
    case mount(source: String?, target: String, fstype: String?, flags: UInt, data: String?, optional: Bool = false)
    /// The jail's root (`path`, without symlinks, the directory of that device and inode
    /// when not 0) cloned recursively and nodev over itself, then pivoted into.
    /// With `slot`, the file system kept there (an overlay, a mount line's tree) is the
    /// root in place of a copy of the tree; `readOnly`: the root is mounted read-only.
    case root(path: String, device: UInt64, inode: UInt64, readOnly: Bool = false, slot: Int = 0)
    /// A detached recursive copy of the host directory `source` with the MS_* `flags`
    /// (ro, nosuid, noexec, nodev) and slave propagation, kept in `slot` (8 and up).
    case tree(source: String, slot: Int, flags: UInt)
    /// The tree in `slot` moved onto the jail's directory `target` (no symlink on the way).
    case attach(target: String, slot: Int)
    /// The detached tree `descriptor` (opened by the caller) moved onto `target`.
    case attachDescriptor(target: String, descriptor: Int32)
    /// The directory `path` (no symlinks) of that device and inode, kept in `slot` (4-6).
    case openChecked(String, device: UInt64, inode: UInt64, slot: Int)
    /// overlayfs of the directories in slots 4 (lower), 5 (upper) and 6 (work), in `slot`.
    case overlay(slot: Int)
    /// A new instance of `fstype`, not attached, kept in `slot`.
    case fsInstance(fstype: String, data: String?, flags: UInt, slot: Int)
    case makeDirectory(String, mode: UInt32, base: Int = 0)
    case makeNode(String, mode: UInt32, device: UInt64, base: Int = 0)
    case symlink(target: String, at: String, base: Int = 0)
    case chown(String, uid: UInt32, gid: UInt32, base: Int = 0)
    case hostname(String)
    case domainname(String)
    /// A new instance of `fstype` (`data`: its comma options) on `target`, a directory
    /// reached without following any symlink; kept in `slot` for later steps.
    case fsMount(target: String, fstype: String, flags: UInt, data: String?, optional: Bool = false,
                 slot: Int = 0, base: Int = 0)
    /// Whatever is mounted at `path` goes, with everything below it.
    case detach(String)
    /// The mount of unique id `id` at `path` (its parent reached without symlinks) goes.
    case unmount(String, id: UInt64)
    /// An empty read-only directory over `path` (skipped when `path` does not exist).
    case mask(String, base: Int = 0)
    /// `path` (beneath `base`) made read-only, recursively.
    case bindReadOnly(String, base: Int, optional: Bool)
    /// The null device of slot 1 (our /dev) over the file `path` (beneath `base`).
    case maskFile(String, base: Int)
    /// `contents` written to the existing file `path`, reached without a symlink (a
    /// sysctl of the jail's own namespaces, through the host's /proc/sys).
    case writeFile(String, contents: String)
    /// The file system mounted at `path` (no symlinks; statfs magic `magic`) given the
    /// option `option` ("key=value"): a running jail's devpts.
    case reconfigure(String, magic: UInt, option: String)

    /// How a failure of this step reads, FreeBSD style: operation and path.
    public var failureOperation: (String, String?) {
        switch self {
        case .mount(_, let target, let fstype, let flags, _, _):
            if flags & UInt(MS_SLAVE | MS_PRIVATE) != 0 { return ("make mounts private", target) }
            return ("mount \(fstype ?? "")", target)
        case .root(let path, _, _, _, _): return ("enter the jail's root", path)
        case .tree(let source, _, _): return ("open the tree", source)
        case .attach(let target, _), .attachDescriptor(let target, _): return ("mount on", "/" + target)
        case .fsInstance(let fstype, _, _, _): return ("mount \(fstype)", nil)
        case .openChecked(let p, _, _, _): return ("open the layer", p)
        case .overlay: return ("mount overlay", nil)
        case .makeDirectory(let p, _, _): return ("mkdir", p)
        case .makeNode(let p, _, _, _): return ("mknod", p)
        case .symlink(_, let p, _): return ("symlink", p)
        case .chown(let p, _, _, _): return ("chown", p)
        case .hostname(let h): return ("sethostname \(h)", nil)
        case .domainname(let d): return ("setdomainname \(d)", nil)
        case .fsMount(let target, let fstype, _, _, _, _, _): return ("mount \(fstype)", target)
        case .detach(let p): return ("unmount", p)
        case .unmount(let p, _): return ("unmount", "/" + p)
        case .mask(let p, _): return ("mask", p)
        case .bindReadOnly(let p, _, _): return ("make read-only", p)
        case .maskFile(let p, _): return ("mask", p)
        case .writeFile(let p, let contents): return ("write \(contents) to", p)
        case .reconfigure(let p, _, let option): return ("set \(option) on", p)
        }
    }
}

/// Everything the child needs, computed by the parent before clone.
public struct ChildPlan: Sendable {
    public var cloneFlags: UInt64 = 0
    public var initCgroupFD: Int32 = -1
    public var jailCgroupFD: Int32 = -1
    public var eventsFD: Int32 = -1
    public var initExecutableFD: Int32 = -1
    public var errorFD: Int32 = -1
    public var statusFD: Int32 = -1
    public var persist = false
    /// `argv` is the tree's own init: the jail's first process becomes it (PID 1), after
    /// the set-up and the confinement of a command; ours is not used.
    public var boot = false
    /// jexec: the running jail's init (a pidfd) and the namespaces to join.
    public var joinPIDFD: Int32 = -1
    public var joinFlags: UInt64 = 0
    public var steps: [SetupStep] = []
    public var argv: [String]? = nil
    public var environment: [String] = []
    public var searchPath: String? = nil
    public var workdir = "/"
    /// The command's process group becomes the terminal's foreground one.
    public var takeTerminal = false
    /// A pty slave for the command's session (-1: the caller's streams).
    public var terminalFD: Int32 = -1
    public var credentials: (uid: UInt32, gid: UInt32, groups: [UInt32])? = nil
    public var keepCapabilities = CapabilitySet()
    public var filter: SeccompProgram? = nil
    /// Landlock scopes of the command's own domain (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1).
    public var landlockScopes: UInt64 = 0
    /// `cgroup.procs` (write-only) of the jail's cgroups in v1 hierarchies, entered first.
    public var v1ProcsFDs: [Int32] = []
    /// Limits set on the command (RLIMIT_* number, soft, hard).
    public var rlimits: [ResourceLimit] = []

    public init() {}
}

/// One prlimit(2) setting.
public struct ResourceLimit: Sendable, Equatable {
    public var resource: Int32
    public var soft: UInt64
    public var hard: UInt64

    public init(resource: Int32, soft: UInt64, hard: UInt64) {
        self.resource = resource
        self.soft = soft
        self.hard = hard
    }
}

/// Why the child failed, as it reported it.
public struct ChildFailure: Error, Sendable {
    public var step: Int32
    public var errno: Errno

    public init(step: Int32, errno: Errno) {
        self.step = step
        self.errno = errno
    }

    public static let setup = CJ_FAIL_SETUP, ids = CJ_FAIL_IDS, seccomp = CJ_FAIL_SECCOMP,
        caps = CJ_FAIL_CAPS, chdir = CJ_FAIL_CHDIR, exec = CJ_FAIL_EXEC, initExec = CJ_FAIL_INIT,
        cgroup = CJ_FAIL_CGROUP, rlimit = CJ_FAIL_RLIMIT, stopped = CJ_FAIL_STOPPED,
        landlock = CJ_FAIL_LANDLOCK
}

public enum Spawner {
    /// Clones the jail's first process and lets it execute `plan`. Returns its host pid.
    public static func spawn(_ plan: ChildPlan) throws(SystemError) -> pid_t {
        let arena = unsafe CArena()
        defer { unsafe arena.free() }
        var steps = unsafe plan.steps.map { unsafe arena.step($0) }
        let argv = unsafe plan.argv.map { unsafe arena.stringArray($0) }
        let envp = unsafe arena.stringArray(plan.environment)
        let groups = plan.credentials?.groups ?? []
        let execBufLen = 4096
        let execBuf = unsafe arena.bytes(execBufLen)
        let workdir = unsafe arena.string(plan.workdir)
        let searchPath = unsafe plan.searchPath.map { unsafe arena.string($0) }
        let filterBytes = plan.filter?.bytes ?? []
        let emptyStep = unsafe arena.emptyStep()
        let limits = plan.rlimits.map { cj_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) }
        let v1 = plan.v1ProcsFDs

        let pid = unsafe steps.withUnsafeMutableBufferPointer { stepBuf in
          unsafe limits.withUnsafeBufferPointer { limitBuf in
            unsafe v1.withUnsafeBufferPointer { v1Buf in
            unsafe groups.withUnsafeBufferPointer { groupBuf in
                unsafe filterBytes.withUnsafeBytes { filterBuf in
                    let cred = plan.credentials
                    let hasFilter = unsafe !filterBuf.isEmpty
                    var c = unsafe cj_plan(
                        clone_flags: plan.cloneFlags,
                        init_cgroup_fd: plan.initCgroupFD,
                        jail_cgroup_fd: plan.jailCgroupFD,
                        events_fd: plan.eventsFD,
                        init_exe_fd: plan.initExecutableFD,
                        error_fd: plan.errorFD,
                        status_fd: plan.statusFD,
                        persist: plan.persist ? 1 : 0,
                        boot: plan.boot ? 1 : 0,
                        join_pidfd: plan.joinPIDFD,
                        join_flags: plan.joinFlags,
                        steps: UnsafePointer(stepBuf.baseAddress ?? emptyStep),
                        nsteps: stepBuf.count,
                        v1_procs_fds: v1Buf.baseAddress,
                        nv1_procs: v1Buf.count,
                        rlimits: limitBuf.baseAddress,
                        nrlimits: limitBuf.count,
                        argv: argv.map { unsafe UnsafePointer($0) },
                        envp: UnsafePointer(envp),
                        search_path: searchPath.map { unsafe UnsafePointer($0) },
                        exec_buf: execBuf,
                        exec_buf_len: execBufLen,
                        workdir: UnsafePointer(workdir),
                        take_terminal: plan.takeTerminal ? 1 : 0,
                        terminal_fd: plan.terminalFD,
                        set_ids: cred == nil ? 0 : 1,
                        uid: cred?.uid ?? 0,
                        gid: cred?.gid ?? 0,
                        groups: groupBuf.baseAddress,
                        ngroups: groupBuf.count,
                        keep_caps: plan.keepCapabilities.mask,
                        filter: hasFilter ? UnsafeRawPointer(filterBuf.baseAddress) : nil,
                        filter_len: UInt16(filterBuf.count / 8),
                        landlock_scoped: plan.landlockScopes)
                    return unsafe cj_spawn(&c)
                }
            }
            }
          }
        }
        if pid < 0 { throw SystemError("clone", Errno(rawValue: Glibc.errno)) }
        return pid
    }
}

/// C memory for one spawn: every string and array the child reads, freed together once
/// clone has returned in the parent (the child has its own copy by then).
@unsafe final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = unsafe []

    func bytes(_ count: Int) -> UnsafeMutablePointer<CChar> {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        unsafe blocks.append(p)
        return unsafe p.bindMemory(to: CChar.self, capacity: max(count, 1))
    }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(s.utf8)
        let p = unsafe bytes(utf8.count + 1)
        for (i, b) in utf8.enumerated() { unsafe p[i] = CChar(bitPattern: b) }
        unsafe p[utf8.count] = 0
        return unsafe p
    }

    func optionalString(_ s: String?) -> UnsafePointer<CChar>? {
        unsafe s.map { unsafe UnsafePointer(string($0)) }
    }

    func stringArray(_ list: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let raw = unsafe UnsafeMutableRawPointer.allocate(
            byteCount: (list.count + 1) * MemoryLayout<UnsafePointer<CChar>?>.stride, alignment: 16)
        unsafe blocks.append(raw)
        let p = unsafe raw.bindMemory(to: UnsafePointer<CChar>?.self, capacity: list.count + 1)
        for (i, s) in list.enumerated() { unsafe p[i] = UnsafePointer(string(s)) }
        unsafe p[list.count] = nil
        return unsafe p
    }

    func step(_ s: SetupStep) -> cj_step {
        var c = unsafe cj_step()
        func set(_ op: cj_op, target: String?, base: Int = 0, optional: Bool = false) {
            unsafe c.op = Int32(op.rawValue)
            unsafe c.target = optionalString(target)
            unsafe c.base = Int32(base)
            unsafe c.options = optional ? UInt32(CJ_STEP_OPTIONAL) : 0
        }
        switch s {
        case .mount(let source, let target, let fstype, let flags, let data, let optional):
            set(CJ_OP_MOUNT, target: target, optional: optional)
            unsafe c.source = optionalString(source)
            unsafe c.fstype = optionalString(fstype)
            unsafe c.data = optionalString(data)
            unsafe c.flags = flags
        case .root(let path, let device, let inode, let readOnly, let slot):
            set(CJ_OP_ROOT, target: path)
            unsafe c.options = (readOnly ? UInt32(CJ_STEP_READONLY) : 0) | (UInt32(slot) << 8)
            unsafe c.flags = UInt(device)
            unsafe c.arg = UInt(inode)
        case .makeDirectory(let path, let mode, let base):
            set(CJ_OP_MKDIR, target: path, base: base)
            unsafe c.arg = UInt(mode)
        case .makeNode(let path, let mode, let device, let base):
            set(CJ_OP_MKNOD, target: path, base: base)
            unsafe c.arg = UInt(mode)
            unsafe c.flags = UInt(device)
        case .symlink(let target, let at, let base):
            set(CJ_OP_SYMLINK, target: at, base: base)
            unsafe c.source = optionalString(target)
        case .chown(let path, let uid, let gid, let base):
            set(CJ_OP_CHOWN, target: path, base: base)
            unsafe c.arg = UInt(uid)
            unsafe c.flags = UInt(gid)
        case .hostname(let name):
            set(CJ_OP_HOSTNAME, target: nil)
            unsafe c.source = optionalString(name)
        case .domainname(let name):
            set(CJ_OP_DOMAINNAME, target: nil)
            unsafe c.source = optionalString(name)
        case .fsMount(let target, let fstype, let flags, let data, let optional, let slot, let base):
            set(CJ_OP_FSMOUNT, target: target, base: base, optional: optional)
            unsafe c.fstype = optionalString(fstype)
            unsafe c.data = optionalString(data)
            unsafe c.flags = flags
            unsafe c.arg = UInt(slot)
        case .detach(let path):
            set(CJ_OP_DETACH, target: path, optional: true)
        case .unmount(let path, let id):
            set(CJ_OP_UNMOUNT, target: path)
            unsafe c.arg = UInt(id)
        case .mask(let path, let base):
            set(CJ_OP_MASK, target: path, base: base, optional: true)
        case .bindReadOnly(let path, let base, let optional):
            set(CJ_OP_BIND_RO, target: path, base: base, optional: optional)
        case .maskFile(let path, let base):
            set(CJ_OP_MASK_FILE, target: path, base: base, optional: true)
        case .tree(let source, let slot, let flags):
            set(CJ_OP_TREE, target: source)
            unsafe c.arg = UInt(slot)
            unsafe c.flags = flags
        case .attach(let target, let slot):
            set(CJ_OP_ATTACH, target: target)
            unsafe c.arg = UInt(slot)
        case .attachDescriptor(let target, let fd):
            set(CJ_OP_ATTACH, target: target)
            unsafe c.options = UInt32(CJ_STEP_DESCRIPTOR)
            unsafe c.arg = UInt(fd)
        case .openChecked(let path, let device, let inode, let slot):
            set(CJ_OP_OPEN_CHECKED, target: path)
            unsafe c.options = UInt32(slot) << 8
            unsafe c.flags = UInt(device)
            unsafe c.arg = UInt(inode)
        case .overlay(let slot):
            set(CJ_OP_OVERLAY, target: nil)
            unsafe c.arg = UInt(slot)
        case .fsInstance(let fstype, let data, let flags, let slot):
            set(CJ_OP_FSMOUNT, target: nil)
            unsafe c.fstype = optionalString(fstype)
            unsafe c.data = optionalString(data)
            unsafe c.flags = flags
            unsafe c.arg = UInt(slot)
        case .writeFile(let path, let contents):
            set(CJ_OP_WRITE, target: path)
            unsafe c.data = optionalString(contents)
        case .reconfigure(let path, let magic, let option):
            set(CJ_OP_RECONFIGURE, target: path)
            unsafe c.data = optionalString(option)
            unsafe c.arg = magic
        }
        return unsafe c
    }

    func emptyStep() -> UnsafeMutablePointer<cj_step> {
        let raw = unsafe UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<cj_step>.stride, alignment: 16)
        unsafe blocks.append(raw)
        return unsafe raw.bindMemory(to: cj_step.self, capacity: 1)
    }

    func free() {
        for unsafe b in unsafe blocks { unsafe b.deallocate() }
        unsafe blocks.removeAll()
    }
}
