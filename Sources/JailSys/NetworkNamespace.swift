import CJail
import Glibc
import SystemPackage

/// Network namespaces as descriptors. The caller's own namespaces never change: a new one
/// is made by a short-lived thread (see cj_netns_create).
public enum NetworkNamespace {
    /// A fresh network namespace (only `lo`, down); it lives as long as the descriptor,
    /// or anything placed in it.
    public static func create() throws(SystemError) -> OwnedFD {
        let fd = cj_netns_create()
        guard fd >= 0 else { throw SystemError("create a network namespace", Errno(rawValue: -fd)) }
        return OwnedFD(fd)
    }

    /// The calling thread's network namespace (thread-self: the one a socket made here
    /// by `Rtnetlink()` belongs to).
    public static func current() throws(SystemError) -> OwnedFD {
        try OwnedFD.open("/proc/thread-self/ns/net", O_RDONLY)
    }
}
