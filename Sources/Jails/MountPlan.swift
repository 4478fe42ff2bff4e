import Glibc
import JailMounts
import JailSys
import SystemPackage

/// A jail's `mount` and `mount.fstab` lines and its thin base, as set-up steps. FreeBSD
/// mounts them on the host before the jail exists; here they are made inside the jail's
/// own mount namespace, so the host's mount table does not grow with every jail, nothing
/// propagates to other jails, and everything goes with the jail. Targets are host paths
/// inside the jail's path, as in FreeBSD's files, and are reached from the jail's root
/// without following any symlink.
struct MountPlan: Sendable, Equatable {
    var steps = MountSteps()
    /// A line whose target is the jail's path itself (the Handbook's nullfs thin jail):
    /// its source becomes the root.
    var rootSource: String?
    /// devfs lines name a ruleset.
    var devfsRuleset: Int?
    /// Lines for our devfs, procfs and fdescfs turn them on, as mount.devfs and the others.
    var devfs = false, procfs = false, fdescfs = false

    /// Slots of the child: 1-3 our /dev, /proc, /sys; 7 a thin jail's overlay; 8 and up
    /// the trees of nullfs lines.
    static let overlaySlot = 7, firstTreeSlot = 8, maxTrees = 55

    /// - Parameter overlay: a thin jail's layers as the host checked them; the child opens
    ///   each again without symlinks, checks it is the same directory, and gives the
    ///   overlay its descriptors (no name is looked up by the overlay itself).
    static func make(_ spec: JailSpec, entries: [MountEntry], root: String,
                     overlay: ThinLayers? = nil) throws(JailError) -> MountPlan {
        var plan = MountPlan()
        func fail(_ message: String) -> JailError { JailError(jail: nil, "mount: " + message) }
        if let layers = overlay {
            for (slot, layer) in [(4, layers.lower), (5, layers.upper), (6, layers.work)] {
                plan.steps.beforeRoot.append(.openChecked(layer.path, device: layer.device, inode: layer.inode, slot: slot))
            }
            plan.steps.beforeRoot.append(.overlay(slot: overlaySlot))
            plan.steps.rootSlot = overlaySlot
        }
        var slot = firstTreeSlot
        for (index, entry) in entries.enumerated() {
            let target: String
            do { target = try Fstab.relativeTarget(entry.target, jailPath: spec.path) } catch {
                // jail.conf names the path as written; the root is that path resolved.
                do { target = try Fstab.relativeTarget(entry.target, jailPath: root) } catch { throw JailError(jail: nil, error.message) }
            }
            var flags = UInt(MS_NODEV)   // devices come from devfs rulesets only
            if entry.readOnly { flags |= UInt(MS_RDONLY) }
            if entry.noSuid { flags |= UInt(MS_NOSUID) }
            if entry.noExec { flags |= UInt(MS_NOEXEC) }
            if entry.noSymFollow { flags |= 256 /* MS_NOSYMFOLLOW */ }
            if entry.noAtime { flags |= UInt(MS_NOATIME) }
            switch entry.kind {
            case .bind(_, let recursive):
                try HostState.checkSource(entry.source, what: "mount: source")
                if target.isEmpty {
                    guard index == 0, spec.thinBase == nil else {
                        throw fail("\(entry.target): a line mounting on the jail's path itself must be the first, and not with thin.base")
                    }
                    plan.rootSource = entry.source
                    plan.steps.rootReadOnly = entry.readOnly
                    continue
                }
                guard slot < firstTreeSlot + maxTrees else { throw fail("more than \(maxTrees) nullfs lines") }
                plan.steps.beforeRoot.append(.tree(source: entry.source, slot: slot, flags: flags | (recursive ? UInt(MS_REC) : 0)))
                plan.steps.inside.append(.attach(target: target, slot: slot))
                slot += 1
            case .tmpfs(let options):
                guard !target.isEmpty else { throw fail("\(entry.target): tmpfs cannot be the jail's root") }
                plan.steps.inside.append(.fsMount(target: target, fstype: "tmpfs", flags: flags | UInt(MS_NOSUID),
                                                  data: options.isEmpty ? nil : options.joined(separator: ",")))
            case .proc:
                // Our procfs, with /proc/sys read-only, is the only one a jail gets.
                guard target == "proc" else { throw fail("\(entry.target): procfs goes on the jail's /proc (mount.procfs)") }
                plan.procfs = true
            case .fdescfs:
                guard target == "dev/fd" else { throw fail("\(entry.target): fdescfs goes on the jail's /dev/fd (mount.fdescfs)") }
                plan.fdescfs = true
            case .sysfs:
                guard target == "sys" else { throw fail("\(entry.target): sysfs goes on the jail's /sys") }
            case .devfs(let ruleset):
                guard target == "dev" else { throw fail("\(entry.target): devfs goes on the jail's /dev (mount.devfs)") }
                plan.devfsRuleset = ruleset
                plan.devfs = true
            }
        }
        return plan
    }
}
