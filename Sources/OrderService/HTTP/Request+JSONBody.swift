import Foundation
import Hummingbird
import SagaKit

extension Request {
    /// The body parsed as strict JSON: 415 unless it is declared JSON, 413 above 64 KiB, 400 when it is not JSON.
    mutating func jsonBody(context: APIRequestContext) async throws -> JSONValue {
        try Self.requireJSONContentType(headers)
        if let declared = headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize {
            throw Problem.status(.contentTooLarge, "the request body is larger than 64 KiB")
        }
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { throw Problem.malformed("the request body is empty; send a JSON object") }
        do {
            return try StrictJSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw Problem.malformed("the body is not valid JSON: \(error)")
        }
    }

    /// The body as strict JSON when there is one, or nil for an empty body (for actions with optional bodies).
    mutating func optionalJSONBody(context: APIRequestContext) async throws -> JSONValue? {
        let declaredEmpty = headers[.contentLength] == "0"
        guard !declaredEmpty,
            headers[.contentType] != nil || headers[.transferEncoding] != nil || headers[.contentLength] != nil
        else { return nil }
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        try Self.requireJSONContentType(headers)
        do {
            return try StrictJSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw Problem.malformed("the body is not valid JSON: \(error)")
        }
    }

    /// 415 unless `Content-Type` is `application/json` or `application/<something>+json` (a UTF-8 charset is fine)
    /// and the body is not compressed (`Content-Encoding` other than `identity`).
    static func requireJSONContentType(_ headers: HTTPFields) throws(Problem) {
        for encoding in headers[values: .contentEncoding]
        where encoding.trimmingCharacters(in: .whitespaces).lowercased() != "identity" {
            throw Problem.status(
                .unsupportedMediaType,
                "compressed bodies are not accepted (Content-Encoding: \(encoding)); send plain JSON")
        }
        guard let value = headers[.contentType] else {
            throw Problem.status(.unsupportedMediaType, "send the body with 'Content-Type: application/json'")
        }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let mediaType = parts.first ?? ""
        let isJSON =
            mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        let charsetOK = parts.dropFirst().allSatisfy { parameter in
            !parameter.hasPrefix("charset=") || ["charset=utf-8", "charset=\"utf-8\""].contains(parameter)
        }
        guard isJSON, charsetOK else {
            throw Problem.status(.unsupportedMediaType, "the body must be application/json in UTF-8, not \(value)")
        }
    }
}
