import Foundation
import Hummingbird

/// The operator console: the static HTML, CSS and JavaScript modules of `Resources/console`, served at
/// `/console` and `/console/…` by Hummingbird's `FileMiddleware`.
///
/// The files need no key (the page signs in with one and sends it on each API call); each answer carries a
/// strict `Content-Security-Policy`: scripts, styles, images and API calls from this origin only, nothing
/// inline, no frames, no plug-ins.
///
/// ```swift
/// ConsoleAssets.bundled()?.addRoutes(to: router, table: &table)
/// ```
struct ConsoleAssets: Sendable {
    /// The URL path the console lives under.
    static let basePath = "/console"

    /// The policy every console file is served with.
    static let policy: ContentSecurityPolicy = [
        .defaultSrc(.none),
        .scriptSrc(.self),
        .styleSrc(.self),
        .imgSrc(.self),
        .connectSrc(.self),
        .formAction(.none),
        .frameAncestors(.none),
        .baseURI(.none),
    ]

    /// The folder holding the console's files.
    let folder: String

    /// The console bundled with the service, or nil when the resource bundle lacks it.
    static func bundled() -> ConsoleAssets? {
        guard let url = Bundle.module.url(forResource: "console", withExtension: nil) else { return nil }
        return ConsoleAssets(folder: url.path)
    }

    /// Adds `/console` and `/console/**`, whose files `FileMiddleware` serves.
    ///
    /// The two routes only match the paths; each answers 404, which is what `FileMiddleware` turns into the file
    /// the path names (`index.html` for `/console` itself). Scoped to these routes, the middleware never sees
    /// another path, so the API's own answers (a 404 for an unknown order, say) are not its business. Every file
    /// is revalidated (`no-cache`, with its `ETag`), so a new build's files are picked up at once.
    func addRoutes(to router: Router<APIRequestContext>, table: inout RouteTable) {
        let files = router.group(RouterPath(Self.basePath))
            .add(middleware: ContentSecurityMiddleware(contentSecurityPolicy: Self.policy))
            .add(
                middleware: FileMiddleware<APIRequestContext, LocalFileSystem>(
                    folder, urlBasePath: Self.basePath,
                    cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]),
                    searchForIndexHtml: true
                ).withAdditionalMediaTypes(forFileExtensions: Self.textTypes))
        let file: @Sendable (Request, APIRequestContext) async throws -> Response = { _, _ in
            throw HTTPError(.notFound)
        }
        files.get("", use: file)
        files.get("**", use: file)
        table.record(.get, Self.basePath)
    }

    /// The text files' types, naming their encoding (the files hold non-ASCII characters such as "→").
    static let textTypes: [String: MediaType] = [
        "html": MediaType(type: .text, subType: "html", parameter: ("charset", "utf-8")),
        "css": MediaType(type: .text, subType: "css", parameter: ("charset", "utf-8")),
        "js": MediaType(type: .text, subType: "javascript", parameter: ("charset", "utf-8")),
    ]
}
