import JailSys
import SystemPackage

/// A login from a passwd file, with its groups from the matching group file.
public struct Login: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    public var home: String
    public var shell: String
    public var groups: [UInt32]
}

public enum Users {
    /// Looks `user` (a name or a numeric uid) up in the jail's own files (`jail -U`,
    /// jexec's default) or in the host's (`jail -u`, exec.system_jail_user).
    public static func lookup(_ user: String, jailRoot: String?) throws(SpecError) -> Login {
        let passwd: String, group: String
        do {
            if let root = jailRoot {
                passwd = try readFile(inRoot: FilePath(root), "/etc/passwd")
                group = (try? readFile(inRoot: FilePath(root), "/etc/group")) ?? ""
            } else {
                passwd = try readFile("/etc/passwd")
                group = (try? readFile("/etc/group")) ?? ""
            }
        } catch {
            throw SpecError("\(user): cannot read the user database: \(error)")
        }
        guard var login = find(user, passwd: passwd) else {
            throw SpecError("\(user): no such user")
        }
        login.groups = groups(of: login, group: group)
        return login
    }

    /// The passwd(5) entry for a name, or for a uid given in digits.
    public static func find(_ user: String, passwd: String) -> Login? {
        let byUID = UInt32(user)
        for line in passwd.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 7, let uid = UInt32(f[2]), let gid = UInt32(f[3]) else { continue }
            if f[0] == user || (byUID != nil && uid == byUID) {
                return Login(name: String(f[0]), uid: uid, gid: gid, home: String(f[5]),
                             shell: f[6].isEmpty ? "/bin/sh" : String(f[6]), groups: [])
            }
        }
        return nil
    }

    /// The primary group and every group(5) entry that lists the user, as initgroups does.
    public static func groups(of login: Login, group: String) -> [UInt32] {
        var out = [login.gid]
        for line in group.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, let gid = UInt32(f[2]) else { continue }
            if f[3].split(separator: ",").contains(where: { $0 == login.name }), !out.contains(gid) {
                out.append(gid)
            }
        }
        return out
    }
}
