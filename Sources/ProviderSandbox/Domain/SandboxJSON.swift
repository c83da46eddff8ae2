import Foundation

/// The JSON settings every body and journal line uses: sorted keys, unescaped slashes.
enum SandboxJSON {
    /// A new encoder with the sandbox's settings.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder.
    static func makeDecoder() -> JSONDecoder {
        JSONDecoder()
    }
}
