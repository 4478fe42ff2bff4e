/// The order in which to create jails: every jail after the jails it depends on (`depend`,
/// and a hierarchical jail after its parent, state.c's "implied dependency on its parent"),
/// otherwise in file order.
enum DependencyOrder {
    static func order(_ jails: [Int: ResolvedJail], blocks: [JailBlock]) throws(ConfError) -> [Int] {
        var labelIndex: [String: Int] = [:]
        for index in jails.keys {
            labelIndex[blocks[index].label] = index
        }
        // Edges from a jail to what it needs, within the set, each once.
        var needs: [Int: [(target: Int, location: SourceLocation)]] = [:]
        for (index, jail) in jails {
            var seen: Set<Int> = []
            var edges: [(target: Int, location: SourceLocation)] = []
            for (name, location) in jail.depends {
                if let target = labelIndex[name], seen.insert(target).inserted {
                    edges.append((target, location))
                }
            }
            let label = blocks[index].label
            if let dot = label.lastIndex(of: "."), let parent = labelIndex[String(label[..<dot])],
                seen.insert(parent).inserted
            {
                edges.append((parent, blocks[index].location))
            }
            needs[index] = edges
        }

        var waiting: [Int: Int] = [:]
        var neededBy: [Int: [Int]] = [:]
        for (index, edges) in needs {
            waiting[index] = edges.count
            for edge in edges {
                neededBy[edge.target, default: []].append(index)
            }
        }
        // Ready jails, kept sorted with the earliest in the file last, so popLast takes it.
        var ready = jails.keys.filter { waiting[$0] == 0 }.sorted(by: >)
        var result: [Int] = []
        while let next = ready.popLast() {
            result.append(next)
            for dependent in neededBy[next] ?? [] {
                let left = (waiting[dependent] ?? 1) - 1
                waiting[dependent] = left
                if left == 0 {
                    let position = insertionPoint(of: dependent, in: ready)
                    ready.insert(dependent, at: position)
                }
            }
        }
        if result.count < jails.count {
            throw loopError(needs: needs, waiting: waiting, blocks: blocks)
        }
        return result
    }

    /// Where `value` goes in a descending array.
    private static func insertionPoint(of value: Int, in descending: [Int]) -> Int {
        var low = 0
        var high = descending.count
        while low < high {
            let middle = (low + high) / 2
            if descending[middle] > value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// Name one loop: every jail left waiting needs another jail left waiting, so following
    /// those edges from the earliest one must come back around.
    private static func loopError(
        needs: [Int: [(target: Int, location: SourceLocation)]], waiting: [Int: Int], blocks: [JailBlock]
    ) -> ConfError {
        let stuck = Set(waiting.filter { $0.value > 0 }.keys)
        guard let start = stuck.min() else {
            return ConfError(.dependency, "dependency loop")
        }
        var path = [start]
        var locations: [SourceLocation] = []
        var current = start
        while true {
            guard let edge = needs[current]?.first(where: { stuck.contains($0.target) }) else {
                return ConfError(.dependency, "dependency loop", jail: blocks[start].label)
            }
            locations.append(edge.location)
            if let seen = path.firstIndex(of: edge.target) {
                let loop = (path[seen...] + [edge.target]).map { printable(blocks[$0].label) }
                return ConfError(
                    .dependency, "dependency loop: " + loop.joined(separator: " -> "), at: locations[seen],
                    jail: blocks[path[seen]].label)
            }
            path.append(edge.target)
            current = edge.target
        }
    }
}
