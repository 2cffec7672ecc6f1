import Foundation

/// sacreBLEU's `lib_ter`: greedy shifts chosen by Tercom's ranking, then a beam-limited Levenshtein
/// distance whose trace gives the alignment. Ported step for step — the beam, the tie order of edit
/// operations and the 1000-candidate cap all change results in corner cases.
///
/// sacreBLEU caches edit-distance rows in a trie of hypothesis prefixes; rows depend only on the prefix
/// (shifts keep the length, hence the beam), so here each candidate simply restarts from the current
/// hypothesis' row at their common prefix — the same numbers, less bookkeeping.
enum TERAlignment {
    static let maxShiftSize = 10, maxShiftDistance = 50, beamWidth = 25, maxShiftCandidates = 1000
    static let infinity = Int(1e16)

    /// `translation_edit_rate`: (edits, reference length).
    static func translationEditRate(hypothesis: [UInt32], reference: [UInt32]) throws -> (Int, Int) {
        if reference.isEmpty { return (hypothesis.count, 0) }
        var shifts = 0
        var words = hypothesis
        var checked = 0
        while true {
            let (delta, shifted, newChecked) = try bestShift(words, reference, checked: checked)
            checked = newChecked
            if checked >= maxShiftCandidates || delta <= 0 { break }
            shifts += 1
            words = shifted
        }
        return (shifts + (try BeamEditDistance(reference: reference, hypothesis: words).distance), reference.count)
    }

    /// `_shift`: the best-ranked shift (score gain, length, earliest start, earliest target).
    static func bestShift(_ words: [UInt32], _ reference: [UInt32], checked: Int) throws -> (Int, [UInt32], Int) {
        let matrix = try BeamEditDistance(reference: reference, hypothesis: words)
        let preScore = matrix.distance
        let (align, referenceErrors, hypothesisErrors) = alignment(try matrix.trace())
        var checked = checked
        var best: (score: Int, length: Int, negStart: Int, negTarget: Int, words: [UInt32])?
        pairs: for startH in words.indices {
            for startR in reference.indices where abs(startR - startH) <= maxShiftDistance {
                var length = 0
                while length < maxShiftSize && words[startH + length] == reference[startR + length] {
                    length += 1
                    // One candidate group per matched length, as `_find_shifted_pairs` yields them.
                    if hypothesisErrors[startH..<(startH + length)].contains(1)
                        && referenceErrors[startR..<(startR + length)].contains(1)
                        && !(startH <= align[startR] && align[startR] < startH + length)
                    {
                        var previousTarget = -1
                        for offset in -1..<length {
                            let target = startR + offset == -1 ? 0 : align[startR + offset] + 1
                            if target == previousTarget { continue }
                            previousTarget = target
                            let shifted = perform(words, start: startH, length: length, target: target)
                            let prefix = commonPrefix(words, shifted)
                            let candidate = (
                                score: preScore - matrix.distance(of: shifted, sharingPrefix: prefix), length: length,
                                negStart: -startH, negTarget: -target, words: shifted
                            )
                            checked += 1
                            if let b = best {
                                if (candidate.score, candidate.length, candidate.negStart, candidate.negTarget)
                                    > (b.score, b.length, b.negStart, b.negTarget)
                                {
                                    best = candidate
                                }
                            } else {
                                best = candidate
                            }
                        }
                    }
                    if checked >= maxShiftCandidates { break pairs }
                    if words.count == startH + length || reference.count == startR + length { break }
                }
            }
        }
        guard let b = best else { return (0, words, checked) }
        return (b.score, b.words, checked)
    }

    /// `trace_to_alignment` of the flipped trace: hypothesis position per reference position, and error
    /// flags per reference and hypothesis position.
    static func alignment(_ inverseTrace: [BeamEditDistance.Op]) -> ([Int], [UInt8], [UInt8]) {
        var posH = -1, posR = -1
        var align = [Int](), referenceErrors = [UInt8](), hypothesisErrors = [UInt8]()
        // The trace rewrites the hypothesis into the reference; flipping insertions and deletions
        // rewrites the reference into the hypothesis, which is what the alignment is read from.
        for op in inverseTrace {
            switch op {
            case .match, .substitute:
                posH += 1
                posR += 1
                align.append(posH)
                let error: UInt8 = op == .match ? 0 : 1
                hypothesisErrors.append(error)
                referenceErrors.append(error)
            case .delete:  // flipped: an insertion into the hypothesis
                posH += 1
                hypothesisErrors.append(1)
            case .insert:  // flipped: a deletion from the reference side
                posR += 1
                align.append(posH)
                referenceErrors.append(1)
            }
        }
        return (align, referenceErrors, hypothesisErrors)
    }

    /// `_perform_shift`: moves `words[start ..< start+length]` to before position `target`.
    static func perform(_ words: [UInt32], start: Int, length: Int, target: Int) -> [UInt32] {
        let n = words.count
        func slice(_ a: Int, _ b: Int) -> ArraySlice<UInt32> {
            let lo = Swift.min(Swift.max(a, 0), n), hi = Swift.min(Swift.max(b, lo), n)
            return words[lo..<hi]
        }
        let moved = slice(start, start + length)
        if target < start {
            return Array(slice(0, target) + moved + slice(target, start) + slice(start + length, n))
        } else if target > start + length {
            return Array(slice(0, start) + slice(start + length, target) + moved + slice(target, n))
        }
        return Array(slice(0, start) + slice(start + length, length + target) + moved + slice(length + target, n))
    }

    static func commonPrefix(_ a: [UInt32], _ b: [UInt32]) -> Int {
        var k = 0
        while k < a.count && k < b.count && a[k] == b[k] { k += 1 }
        return k
    }
}
