/// `jail -e separator`: every configured non-wildcard jail on one line, its parameters
/// separated by `separator`, in FreeBSD's format (jail.c show_jails, print_jail, print_param,
/// quoted_print).
extension JailConfFile {
    /// One line per jail, in file order. Parameters appear as the configuration leaves them
    /// (variables substituted, wildcards applied, spelling as last written), `jid` omitted;
    /// a parameter without a value prints as its name alone, list values are joined by
    /// commas. Like FreeBSD's `-e`, this does not validate parameters: it shows what the file
    /// says.
    public func formatE(separator: String) throws(ConfError) -> String {
        var output = ""
        for index in blocks.indices where !blocks[index].isWildcard {
            let params = try Collector.collect(block: index, in: blocks, wildcards: wildcards, overrides: [])
            var fields: [String] = []
            for param in params where param.name != "jid" {
                var field = param.name
                if !param.values.isEmpty {
                    field += "=" + param.values.map { Self.quotedPrint($0.text) }.joined(separator: ",")
                }
                fields.append(field)
            }
            output += fields.joined(separator: separator) + "\n"
        }
        return output
    }

    /// jail.c quoted_print: an empty string prints as `""`; a value with a single quote goes in
    /// double quotes, one with a double quote in single quotes, one with a space or tab in
    /// double quotes; backslashes and the chosen quote are escaped with a backslash.
    static func quotedPrint(_ text: String) -> String {
        // Byte-wise, as in C: iterate scalars, not Characters, so that a backslash followed by a
        // combining mark is still seen as a backslash.
        let quote: Unicode.Scalar?
        if text.isEmpty || text.unicodeScalars.contains("'") {
            quote = "\""
        } else if text.unicodeScalars.contains("\"") {
            quote = "'"
        } else if text.unicodeScalars.contains(" ") || text.unicodeScalars.contains("\t") {
            quote = "\""
        } else {
            quote = nil
        }
        var result = String.UnicodeScalarView()
        if let quote {
            result.append(quote)
        }
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == quote {
                result.append("\\")
            }
            result.append(scalar)
        }
        if let quote {
            result.append(quote)
        }
        return String(result)
    }
}
