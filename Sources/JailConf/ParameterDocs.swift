/// docs/parameters.md is rendered from the table, so the documentation cannot drift from what
/// the code accepts (a test compares the two).
extension ParameterTable {
    public static func markdown() -> String {
        var lines: [String] = [
            "# Jail parameters",
            "",
            "Every parameter FreeBSD's jail(8) knows, with its type, default, whether `jail -m` can change it",
            "on a running jail, and what this Linux implementation does with it. Generated from",
            "`ParameterTable` (Sources/JailConf/ParameterTable.swift); do not edit by hand. After changing",
            "the table, run `JAILCONF_UPDATE_DOCS=1 swift test --filter JailConfTests` to rewrite this file.",
            "",
            "How values are written (jail.conf(5), jail(8)):",
            "",
            "- **bool**: `name;` sets it, `noname;` (with `no` before the last dotted component, as in",
            "  `allow.nomount` or `mount.nodevfs`) clears it; `name = true|false` and integers (0 is false) work too.",
            "- **int**, **string**: one value; if several are given the last one counts.",
            "- **list**: `name = a, b;` or `name += c;`; on the command line `name=a,b` gives two items.",
            "- **command list**: like a list, but command-line words are never split at commas",
            "  (a command or an fstab line may contain them).",
            "- **jailsys**: `disable`, `new` or `inherit`; `name;` alone means `new`.",
            "- **IPv4/IPv6 list**: addresses, each optionally `interface|address/prefix ifconfig-words`.",
            "- `meta.KEY` and `env.KEY` set one key of `meta` and `env`.",
            "",
            "The **Linux** column: *supported*; *warning* (accepted, with a one-line warning, because",
            "the parameter is only a convenience and ignoring it weakens nothing); *refused* (an error,",
            "because ignoring it would leave the jail less confined than asked, or we cannot do it).",
            "A refusal applies only to the values named: `allow.nomount` is always accepted.",
            "",
            "The **Running jail** column says whether `jail -m` can change the parameter without a restart:",
            "*changeable*, *at creation* (changing it needs `jail -mr`), or *read-only*. Linux fixes a",
            "process's capabilities and seccomp filter when it starts, so the `allow.*` permissions are set at",
            "creation here, unlike FreeBSD. Pseudo-parameters are read when a jail is created or removed and",
            "never need a restart.",
            "",
            "Where our default differs from FreeBSD's, FreeBSD's is given in parentheses. These are",
            "deliberate: `allow.set_hostname` is false because letting a jail change its hostname needs a",
            "user namespace here; `sysvmsg`, `sysvsem` and `sysvshm` are `new` (a private IPC namespace)",
            "rather than `disable`; `mount.devfs` and `mount.procfs` are on, because a Linux jail without",
            "its own /dev and /proc is rarely useful (`mount.nodevfs` and `mount.noprocfs` turn them off).",
            "",
        ]
        let sections: [(String, ParameterInfo.Kind)] = [
            ("Jail parameters (kept by the system, shown by jls)", .kernel),
            ("Pseudo-parameters (used only by jail(8) itself)", .pseudo),
        ]
        for (title, kind) in sections {
            lines.append("## " + title)
            lines.append("")
            lines.append("| Parameter | Type | Default | Running jail | Linux | Meaning |")
            lines.append("|---|---|---|---|---|---|")
            for info in all where info.kind == kind {
                var defaultText = info.defaultText.isEmpty ? "—" : info.defaultText
                if let freeBSD = info.freeBSDDefault {
                    defaultText += " (FreeBSD: \(freeBSD))"
                }
                let running = info.readOnly ? "read-only" : (info.runtimeChangeable ? "changeable" : "at creation")
                let cells = [
                    "`\(info.name)`", info.type.description, defaultText, running, supportText(info), info.summary,
                ]
                lines.append("| " + cells.map(cell).joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private static func supportText(_ info: ParameterInfo) -> String {
        switch info.support {
        case .supported:
            return "supported"
        case .warn(let reason):
            return "warning: " + reason
        case .refused(let reason, let condition):
            switch condition {
            case .always:
                return "refused: " + reason
            case .whenTrue:
                return "refused when true: " + reason
            case .unlessIn(let range):
                if range.lowerBound == range.upperBound {
                    return "refused unless \(range.lowerBound): " + reason
                }
                if range.lowerBound == Int.min {
                    return "refused above \(range.upperBound): " + reason
                }
                return "refused outside \(range.lowerBound) to \(range.upperBound): " + reason
            }
        }
    }

    /// A Markdown table cell: a `|` would end the cell.
    private static func cell(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "|" {
                result += "\\|"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// man/jail.8's parameter lists are rendered from the table too, between two comment lines
/// that a test finds (Tests/JailsTests/DocsTests.swift compares, and with
/// JAILCONF_UPDATE_DOCS=1 rewrites, what lies between them).
extension ParameterTable {
    public static let mdocBegin = #".\" BEGIN GENERATED PARAMETERS: do not edit; see Sources/JailConf/ParameterDocs.swift"#
    public static let mdocEnd = #".\" END GENERATED PARAMETERS"#

    /// The lines between `mdocBegin` and `mdocEnd`: one tag list per kind of parameter.
    public static func mdoc() -> String {
        var lines: [String] = []
        let sections: [(String, ParameterInfo.Kind)] = [
            ("Parameters Kept with the Jail", .kernel),
            ("Pseudo-parameters", .pseudo),
        ]
        for (title, kind) in sections {
            lines.append(".Ss " + title)
            lines.append(".Bl -tag -width indent")
            for info in all where info.kind == kind {
                lines.append(".It Va " + info.name)
                lines.append(mdocText(info.summary) + ".")
                var facts = ["Type " + info.type.description]
                if !info.defaultText.isEmpty {
                    facts.append("default " + info.defaultText + (info.freeBSDDefault.map { " (FreeBSD: \($0))" } ?? ""))
                }
                // Pseudo-parameters are read when a jail is created or removed: the page says so once.
                if info.kind == .kernel {
                    facts.append(info.readOnly ? "read-only" : (info.runtimeChangeable ? "changeable while the jail runs" : "set at creation"))
                }
                lines.append(mdocText(facts.joined(separator: "; ")) + ".")
                switch info.support {
                case .supported:
                    break
                case .refused where info.readOnly:
                    break  // said above
                case .warn(let reason):
                    lines.append("Accepted with a warning: " + mdocText(reason) + ".")
                case .refused:
                    let text = supportText(info)
                    lines.append(mdocText(text.prefix(1).uppercased() + text.dropFirst()) + ".")
                }
            }
            lines.append(".El")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text for an mdoc(7) text line: backslashes escaped, and a line that would start with
    /// a control character (`.` or `'`) made literal.
    private static func mdocText(_ text: some StringProtocol) -> String {
        var result = ""
        for character in text {
            if character == "\\" {
                result += "\\e"
            } else {
                result.append(character)
            }
        }
        if result.hasPrefix(".") || result.hasPrefix("'") {
            result = "\\&" + result
        }
        return result
    }
}
