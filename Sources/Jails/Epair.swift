import JailSys

/// FreeBSD's epair(4) on Linux: a veth pair named NAMEa and NAMEb, the a end up and, if
/// asked, a port of a bridge — so that the Handbook's VNET recipe (`ifconfig epair create`,
/// `ifconfig bridge0 addm epair0a up`, `ifconfig epair0a destroy`) has a one-line
/// counterpart each: `jail epair create NAME [BRIDGE]`, `jail epair destroy NAME`.
public enum Epair {
    public static func create(_ name: String, bridge: String?) throws(JailError) {
        func fail(_ message: String) -> JailError { JailError(jail: nil, "epair \(name): \(message)") }
        let (a, b) = (name + "a", name + "b")
        do {
            try NetworkSpec.checkInterfaceName("epair", a)
            try NetworkSpec.checkInterfaceName("epair", b)
        } catch { throw fail("a name of at most 14 characters, without / : or spaces") }
        do {
            let nl = try Rtnetlink()
            var bridgeIndex: Int32?
            if let bridge {
                guard let index = try nl.linkIndex(bridge) else { throw fail("bridge \(bridge): no such interface") }
                guard try nl.linkKind(index) == "bridge" else { throw fail("\(bridge): not a bridge") }
                bridgeIndex = index
            }
            try nl.createVethPair(a, b)
            guard let index = try nl.linkIndex(a) else { throw fail("vanished while being made") }
            do {
                if let bridgeIndex { try nl.setMaster(index, master: bridgeIndex) }
                try nl.setUp(index, true)
            } catch {
                try? nl.deleteLink(index)
                throw error
            }
        } catch let error as JailError { throw error } catch { throw fail("\(error)") }
    }

    /// Destroys NAMEa and with it NAMEb, wherever that end is.
    public static func destroy(_ name: String) throws(JailError) {
        do {
            let nl = try Rtnetlink()
            guard let index = try nl.linkIndex(name + "a"), try nl.linkKind(index) == "veth" else {
                throw JailError(jail: nil, "epair \(name): no such epair (\(name)a)")
            }
            try nl.deleteLink(index)
        } catch let error as JailError { throw error } catch { throw JailError(jail: nil, "epair \(name): \(error)") }
    }
}
