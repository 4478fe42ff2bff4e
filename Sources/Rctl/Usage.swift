/// `rctl -u` output.
public enum Usage {
    /// One `resource=value` line per resource given, in FreeBSD's order (the kernel's
    /// rctl_racct_to_sbuf walks the resources in order). With `human`, every value as
    /// `rctl -hu` prints it: rctl.c humanizes each line whatever its resource
    /// (`Amount.humanized`), so `cputime=35K` is what FreeBSD shows for 36000 seconds.
    public static func lines(_ values: [Resource: UInt64], human: Bool) -> [String] {
        Resource.allCases.compactMap { resource in
            guard let value = values[resource] else {
                return nil
            }
            let shown = human ? Amount.humanized(value, unit: resource.unit) : String(value)
            return "\(resource.rawValue)=\(shown)"
        }
    }
}
