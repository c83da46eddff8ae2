import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore

/// An issuer's signing keys (its JWKS), from a URL or a file.
///
/// From a URL the set is fetched on first use and kept as long as the answer's `Cache-Control: max-age` says (five
/// minutes without one, within 30 s and a day); a token naming a key the set lacks fetches it again at once — for at
/// most one such token per `refetchInterval`, so a stream of bogus key ids cannot hammer the issuer. When a fetch fails, the keys
/// already held stay in use.
public actor KeySetSource {
    /// Where the keys come from.
    enum Origin: Sendable {
        case url(String, HTTPClient)
        case document(String)
    }

    private let origin: Origin
    private let refetchInterval: Duration
    private let clock = ContinuousClock()
    private let logger: Logger
    private var collection = JWTKeyCollection()
    private var keyIds: Set<String> = []
    private var loaded = false
    private var freshUntil: ContinuousClock.Instant?
    /// When a fetch last failed.
    private var lastFailure: ContinuousClock.Instant?
    /// When an unknown key id last made the set be fetched again.
    private var lastUnknownKeyFetch: ContinuousClock.Instant?
    private var fetching: Task<Void, any Error>?
    /// How many times the set was fetched (for tests and metrics).
    public private(set) var fetchCount = 0

    /// Keys fetched from `url` with `http`.
    public init(url: String, http: HTTPClient, refetchInterval: Duration = .seconds(30), logger: Logger) {
        origin = .url(url, http)
        self.refetchInterval = refetchInterval
        self.logger = logger
    }

    /// The keys of a JWKS document (`AUTH_JWKS_FILE`'s contents); throws when it is not one.
    public init(document json: String, logger: Logger) throws {
        do {
            _ = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        } catch {
            throw KeySetError("the key set is not a JWKS document: \(error)")
        }
        origin = .document(json)
        refetchInterval = .seconds(30)
        self.logger = logger
    }

    /// The key collection, fresh, holding `kid` if the issuer publishes it (fetched again once when it does not).
    func collection(containing kid: String?) async throws(TokenVerifier.Failure) -> JWTKeyCollection {
        let now = clock.now
        let stale = freshUntil.map { now >= $0 } ?? true
        let missing = kid.map { !keyIds.contains($0) } ?? false
        let mayRefetch = lastUnknownKeyFetch.map { now - $0 >= refetchInterval } ?? true
        if case .document(let json) = origin, !loaded {
            do {
                try await install(json, maxAge: .seconds(86_400 * 365))
            } catch {
                logger.error("the key set file holds no usable key", metadata: ["error": "\(error)"])
                throw .keysUnavailable
            }
        }
        if case .url = origin, !loaded, let failed = lastFailure, now - failed < refetchInterval {
            throw .keysUnavailable
        }
        if case .url = origin, !loaded || stale || (missing && mayRefetch) {
            if loaded, !stale { lastUnknownKeyFetch = now }
            do {
                try await fetch()
            } catch {
                logger.warning("cannot fetch the identity provider's keys", metadata: ["error": "\(error)"])
                // Keep what is held, and let the issuer recover before asking again.
                lastFailure = clock.now
                freshUntil = clock.now + refetchInterval
                if !loaded { throw .keysUnavailable }
            }
        }
        if let kid, !keyIds.contains(kid) { throw .unknownKey }
        return collection
    }

    /// Fetches the set once, shared by every caller that asks meanwhile.
    private func fetch() async throws {
        if let fetching { return try await fetching.value }
        guard case .url(let url, let http) = origin else { return }
        let task = Task {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await http.execute(request, timeout: .seconds(10))
            guard response.status == .ok else { throw KeySetError("the key set answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            try await self.install(String(buffer: body), maxAge: Self.maxAge(response.headers["Cache-Control"]))
        }
        fetching = task
        defer { fetching = nil }
        fetchCount += 1
        try await task.value
    }

    /// Replaces the keys with those of `json`, fresh for `maxAge`.
    private func install(_ json: String, maxAge: Duration = .seconds(300)) async throws {
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        } catch {
            throw KeySetError("the key set is not a JWKS document: \(error)")
        }
        let fresh = JWTKeyCollection()
        var ids: Set<String> = []
        for key in jwks.keys {
            do {
                try await fresh.add(jwk: key)
                if let id = key.keyIdentifier?.string { ids.insert(id) }
            } catch {
                logger.info("a key of the key set is skipped", metadata: ["error": "\(error)"])
            }
        }
        guard !ids.isEmpty else { throw KeySetError("the key set holds no usable key with a kid") }
        collection = fresh
        keyIds = ids
        loaded = true
        freshUntil = clock.now + maxAge
    }

    /// The `max-age` of a `Cache-Control` header, kept within 30 s and a day; five minutes without one.
    static func maxAge(_ header: [String]) -> Duration {
        for directive in header.joined(separator: ",").split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            if parts.count == 2, parts[0] == "max-age", let seconds = Int(parts[1]) {
                return .seconds(min(86_400, max(30, seconds)))
            }
        }
        return .seconds(300)
    }
}

/// Why a key set could not be used.
struct KeySetError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
