import CJail
import Glibc
import SystemPackage

/// One set-up step, executed in order by the child inside the jail's new namespaces.
public enum SetupStep: Sendable, Equatable {
    case mount(source: String?, target: String, fstype: String?, flags: UInt, data: String?, optional: Bool = false)
    /// mount_setattr(AT_RECURSIVE): attributes set and cleared on the whole subtree.
    case setAttributes(target: String, set: UInt64, clear: UInt64)
    /// The new root: pivot_root into it and detach the old one.
    case pivot(root: String)
    case makeDirectory(String, mode: UInt32)
    case makeNode(String, mode: UInt32, device: UInt64)
    case symlink(target: String, at: String)
    case hostname(String)
    case domainname(String)
    /// A new instance of `fstype` (`data`: its comma options) on `target`, a directory
    /// of the jail's tree reached without following any symlink.
    case fsMount(target: String, fstype: String, flags: UInt, data: String?, optional: Bool = false)
    /// Whatever is mounted at `path` goes, with everything below it.
    case detach(String)
    /// An empty read-only directory over `path` (skipped when `path` does not exist).
    case mask(String)

    /// How a failure of this step reads, FreeBSD style: operation and path.
    public var failureOperation: (String, String?) {
        switch self {
        case .mount(_, let target, let fstype, let flags, _, _):
            if flags & UInt(MS_REMOUNT) != 0 { return ("remount", target) }
            if flags & UInt(MS_BIND) != 0 { return ("mount", target) }
            if flags & UInt(MS_SLAVE | MS_PRIVATE) != 0 { return ("make mounts private", target) }
            return ("mount \(fstype ?? "")", target)
        case .setAttributes(let target, _, _): return ("set mount attributes", target)
        case .pivot(let root): return ("pivot_root", root)
        case .makeDirectory(let p, _): return ("mkdir", p)
        case .makeNode(let p, _, _): return ("mknod", p)
        case .symlink(_, let p): return ("symlink", p)
        case .hostname(let h): return ("sethostname \(h)", nil)
        case .domainname(let d): return ("setdomainname \(d)", nil)
        case .fsMount(let target, let fstype, _, _, _): return ("mount \(fstype)", target)
        case .detach(let p): return ("unmount", p)
        case .mask(let p): return ("mask", p)
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

    public init() {}
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
        caps = CJ_FAIL_CAPS, chdir = CJ_FAIL_CHDIR, exec = CJ_FAIL_EXEC, initExec = CJ_FAIL_INIT
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

        let pid = unsafe steps.withUnsafeMutableBufferPointer { stepBuf in
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
                        join_pidfd: plan.joinPIDFD,
                        join_flags: plan.joinFlags,
                        steps: UnsafePointer(stepBuf.baseAddress ?? emptyStep),
                        nsteps: stepBuf.count,
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
                        filter_len: UInt16(filterBuf.count / 8))
                    return unsafe cj_spawn(&c)
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
        switch s {
        case .mount(let source, let target, let fstype, let flags, let data, let optional):
            unsafe c.op = Int32(CJ_OP_MOUNT.rawValue)
            unsafe c.source = optionalString(source)
            unsafe c.target = optionalString(target)
            unsafe c.fstype = optionalString(fstype)
            unsafe c.data = optionalString(data)
            unsafe c.flags = flags
            unsafe c.options = optional ? UInt32(CJ_STEP_OPTIONAL) : 0
        case .setAttributes(let target, let set, let clear):
            unsafe c.op = Int32(CJ_OP_SETATTR.rawValue)
            unsafe c.target = optionalString(target)
            unsafe c.flags = UInt(set)
            unsafe c.arg = UInt(clear)
        case .pivot(let root):
            unsafe c.op = Int32(CJ_OP_PIVOT.rawValue)
            unsafe c.target = optionalString(root)
        case .makeDirectory(let path, let mode):
            unsafe c.op = Int32(CJ_OP_MKDIR.rawValue)
            unsafe c.target = optionalString(path)
            unsafe c.arg = UInt(mode)
        case .makeNode(let path, let mode, let device):
            unsafe c.op = Int32(CJ_OP_MKNOD.rawValue)
            unsafe c.target = optionalString(path)
            unsafe c.arg = UInt(mode)
            unsafe c.flags = UInt(device)
        case .symlink(let target, let at):
            unsafe c.op = Int32(CJ_OP_SYMLINK.rawValue)
            unsafe c.source = optionalString(target)
            unsafe c.target = optionalString(at)
        case .hostname(let name):
            unsafe c.op = Int32(CJ_OP_HOSTNAME.rawValue)
            unsafe c.source = optionalString(name)
        case .domainname(let name):
            unsafe c.op = Int32(CJ_OP_DOMAINNAME.rawValue)
            unsafe c.source = optionalString(name)
        case .mask(let path):
            unsafe c.op = Int32(CJ_OP_MASK.rawValue)
            unsafe c.target = optionalString(path)
            unsafe c.options = UInt32(CJ_STEP_OPTIONAL)
        case .detach(let path):
            unsafe c.op = Int32(CJ_OP_DETACH.rawValue)
            unsafe c.target = optionalString(path)
            unsafe c.options = UInt32(CJ_STEP_OPTIONAL)
        case .fsMount(let target, let fstype, let flags, let data, let optional):
            unsafe c.op = Int32(CJ_OP_FSMOUNT.rawValue)
            unsafe c.target = optionalString(target)
            unsafe c.fstype = optionalString(fstype)
            unsafe c.data = optionalString(data)
            unsafe c.flags = flags
            unsafe c.options = optional ? UInt32(CJ_STEP_OPTIONAL) : 0
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
