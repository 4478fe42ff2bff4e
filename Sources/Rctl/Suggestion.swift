/// The candidate `word` was most likely meant to be, for "did you mean" hints: the closest
/// one within a third of its length in edits (a swap of two neighbours counts as one), else
/// the first that `word` (three letters or more) begins.
func suggestion(for word: some StringProtocol, among candidates: [String]) -> String? {
    let typed = Array(word.lowercased().unicodeScalars)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let target = Array(candidate.unicodeScalars)
        let distance = editDistance(typed, target)
        if distance > 0, distance <= max(1, (target.count + 1) / 3), distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    if let best {
        return best.candidate
    }
    guard typed.count >= 3 else {
        return nil
    }
    let prefix = String(String.UnicodeScalarView(typed))
    return candidates.first { $0.hasPrefix(prefix) && $0 != prefix }
}

/// ` did you mean "x"?` for the message about an unknown `word`, or `otherwise`.
func didYouMean(_ word: some StringProtocol, among candidates: [String], otherwise: String) -> String {
    if let guess = suggestion(for: word, among: candidates) {
        return "did you mean \(quoted(guess))?"
    }
    return otherwise
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours each cost one.
private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previous2[j - 2] + 1)
            }
            current[j] = value
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}
