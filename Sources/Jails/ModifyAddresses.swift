import Glibc
import JailSys
import SystemPackage

/// jail -m of a shared-stack jail's addresses (ip4.addr, ip6.addr and their saddrsel), as
/// FreeBSD allows: new socket-address programs replace the old ones on the jail's cgroup,
/// new aliases are added before and old ones removed after. Sockets already bound keep
/// their addresses, as on FreeBSD.
extension JailModification {
    static let addressParameters: Set<String> = ["ip4.addr", "ip6.addr", "ip4.saddrsel", "ip6.saddrsel"]

    /// Whether the change of `name` is one of the addresses only; throws when it cannot be.
    static func checkAddressChange(_ name: String, _ current: JailSpec, _ merged: JailSpec, jail: String) throws(JailError) {
        if current.network.vnet {
            throw JailError(jail: jail, "\(name): a vnet jail sets its own addresses (ip addr inside it)")
        }
        if current.ip4 != merged.ip4 || current.ip6 != merged.ip6 {
            // The seccomp filter fixed at creation decides which families exist.
            throw JailError(jail: jail, "\(name): ip4 and ip6 (new, inherit, disable) cannot be changed after creation")
        }
    }

    static func addressesChanged(_ a: JailSpec, _ b: JailSpec) -> Bool {
        a.network.ip4 != b.network.ip4 || a.network.ip6 != b.network.ip6
            || a.network.sourceSelection4 != b.network.sourceSelection4 || a.network.sourceSelection6 != b.network.sourceSelection6
    }

    /// Puts the merged addresses in place on the running jail. The record names every alias
    /// that may exist before any is added, so a crash leaves nothing jail -r does not know.
    func changeAddresses(_ record: JailRecord, to merged: JailSpec) throws(JailError) {
        let others = env.registry.liveRecords().filter { $0.jid != record.jid }
        let network = try JailNetwork(merged, others: others)
        let wanted = Set(merged.network.aliases.map { $0.item.address })
        let kept = record.aliases.filter { Self.aliasAddress($0).map(wanted.contains) ?? false }
        let dropped = record.aliases.filter { !kept.contains($0) }
        try updateAliases(record.jid, to: record.aliases + network.aliases)
        var undo = UndoStack()
        do {
            try network.addAliases(&undo)
            let cgroup = try OwnedFD.open(FilePath(record.cgroup), O_RDONLY | O_DIRECTORY)
            try network.attachAddressFilter(cgroup: cgroup.rawValue)
        } catch {
            undo.run()
            try? updateAliases(record.jid, to: record.aliases)
            throw JailError(jail: record.name, "\(error)")
        }
        if !dropped.isEmpty, let nl = try? Rtnetlink() { JailNetwork.removeAliases(dropped, nl) }
        try updateAliases(record.jid, to: kept + network.aliases)
    }

    private func updateAliases(_ jid: Int, to aliases: [String]) throws(JailError) {
        try env.registry.withLock { () throws(JailError) in
            guard var r = env.registry.record(jid) else { return }
            r.aliases = aliases
            do { try env.registry.write(r) } catch { throw JailError(jail: r.name, "\(error)") }
        }
    }

    /// "eth0 192.0.2.1/24" → 192.0.2.1.
    static func aliasAddress(_ alias: String) -> IPAddress? {
        alias.split(separator: " ").last.flatMap { IPAddress(String($0.split(separator: "/").first ?? "")) }
    }
}
