/// devfs rule types (`type disk`): the kind a driver gives its device switch on FreeBSD
/// (D_DISK, D_MEM, D_TAPE, D_TTY). Linux has no such flag on a device, so `linux(_:)` tells
/// the type from the node's name.
public enum DeviceType: String, Sendable, Equatable, CaseIterable {
    case disk
    case mem
    case tape
    case tty

    /// The type of a Linux device node named `path` below /dev, or nil when it has none of
    /// these types (null, fuse, kvm, net/tun...). By name, as udev and the kernel name them:
    ///
    /// - disk: sd*, hd*, vd*, xvd*, nvme*n* (namespaces and partitions, not the nvme0
    ///   controller), mmcblk*, loop0..., dm-*, md*, nbd*, zram*, ram*, sr*, and mapper/*
    ///   except mapper/control;
    /// - tape: st*, nst* (SCSI tapes, followed by digits);
    /// - tty: tty, tty0..., ttyS*, ttyUSB*, ttyACM* (every tty*), console, ptmx, pts/*;
    /// - mem: mem, kmem, port (physical memory, kernel memory, I/O ports).
    public static func linux(_ path: String) -> DeviceType? {
        if path.hasPrefix("pts/") {
            return .tty
        }
        if path.hasPrefix("mapper/") {
            return path == "mapper/control" ? nil : .disk
        }
        guard !path.contains("/") else {
            return nil
        }
        switch path {
        case "mem", "kmem", "port":
            return .mem
        case "console", "ptmx":
            return .tty
        default:
            break
        }
        if path.hasPrefix("tty") {
            return .tty
        }
        if startsWithThenDigits(path, ["st", "nst"]) {
            return .tape
        }
        if isDisk(path) {
            return .disk
        }
        return nil
    }
}

private func isDisk(_ name: String) -> Bool {
    // sda, sdb1, hdc, vda2, xvdb: a prefix, letters for the disk, digits for a partition.
    for prefix in ["sd", "hd", "vd", "xvd"] where name.hasPrefix(prefix) {
        let rest = name.dropFirst(prefix.count)
        let letters = rest.prefix { ("a"..."z").contains($0) }
        if !letters.isEmpty && rest.dropFirst(letters.count).allSatisfy(\.isASCIIDigit) {
            return true
        }
    }
    // nvme0n1, nvme0n1p2: a namespace of a controller; nvme0 alone is the controller.
    let controller = name.dropFirst(4)
    if name.hasPrefix("nvme"), controller.first?.isASCIIDigit == true, controller.contains("n") {
        return true
    }
    return startsWithThenDigits(name, ["mmcblk", "loop", "dm-", "md", "nbd", "zram", "ram", "sr"])
}

/// Whether `name` is one of the prefixes followed by a digit (then anything: mmcblk0p1).
private func startsWithThenDigits(_ name: String, _ prefixes: [String]) -> Bool {
    prefixes.contains { prefix in
        name.hasPrefix(prefix) && name.dropFirst(prefix.count).first?.isASCIIDigit == true
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}
