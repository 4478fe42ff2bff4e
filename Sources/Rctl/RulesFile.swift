/// `/etc/rctl.conf`, read as FreeBSD's rc.d/rctl reads it: `while read var comments` and
/// `rctl -a "${var}"` for each line whose first word is neither empty nor begins with `#`.
public enum RulesFile {
    /// The rules of a file, one a line: the first word (after blanks and tabs) is the rule,
    /// anything after it on the line is ignored, as rc.d/rctl ignores it; a first word
    /// starting with `#` makes the line a comment. Rules are checked as `Rule.parse` checks
    /// them; the first error is thrown as `path:line: message`. Unlike sh's `read`,
    /// backslashes are taken literally: rules have none.
    public static func parse(_ text: String, path: String) throws(RctlError) -> [Rule] {
        var rules: [Rule] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() {
            guard let word = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first,
                !word.hasPrefix("#")
            else {
                continue
            }
            do {
                rules.append(try Rule.parse(String(word)))
            } catch {
                throw error.at(file: path, line: index + 1)
            }
        }
        return rules
    }
}
