/// Token + position embedding (GPT-2's `wte(input_ids) + wpe(position_ids)`).
public enum Embedding {
    /// out[N, C] = wte[tokens[n]] + wpe[positions[n]]. Ids were validated by the caller (the model checks
    /// them against the vocabulary and `n_positions` before any kernel runs).
    public static func forward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, rows n: Int, channels c: Int
    ) {
        for r in 0..<n {
            let y = out + r * c
            y.update(from: wte + Int(tokens[r]) * c, count: c)
            addInPlace(y, wpe + Int(positions[r]) * c, c)
        }
    }

    /// Adds dout rows into the embedding rows they came from, for each table that is given.
    /// Serial on purpose: two rows can share a token or position, and the work is tiny.
    public static func backward(
        dwte: UnsafeMutablePointer<Float>?, dwpe: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, rows n: Int, channels c: Int
    ) {
        for r in 0..<n {
            if let dwte { addInPlace(dwte + Int(tokens[r]) * c, dout + r * c, c) }
            if let dwpe { addInPlace(dwpe + Int(positions[r]) * c, dout + r * c, c) }
        }
    }
}
