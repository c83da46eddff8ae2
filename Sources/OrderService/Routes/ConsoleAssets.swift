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
/// let console = ConsoleAssets.bundled()
/// if console != nil { table.record(.get, ConsoleAssets.basePath) }   // POST /console is then 405
/// router.add(middleware: MethodNotAllowedMiddleware(routes: table))
/// console?.addMiddleware(to: router)                                  // after every route, inside the 405 check
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

    /// Serves the console's files for requests no route answered.
    ///
    /// Added to the router after every route, so it wraps only the not-found responder: the API's own routes
    /// never reach it. `/console` itself answers `index.html`; every file is revalidated (`no-cache`, with its
    /// `ETag`), so a new build's files are picked up at once. Add it after ``MethodNotAllowedMiddleware``, which
    /// would otherwise turn the not-found answer for `/console` into a 405 before this could serve the page.
    func addMiddleware(to router: Router<APIRequestContext>) {
        router.add(middleware: ContentSecurityMiddleware(contentSecurityPolicy: Self.policy))
        router.add(
            middleware: FileMiddleware<APIRequestContext, LocalFileSystem>(
                folder, urlBasePath: Self.basePath,
                cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]),
                searchForIndexHtml: true
            ).withAdditionalMediaTypes(forFileExtensions: Self.textTypes))
    }

    /// The text files' types, naming their encoding (the files hold non-ASCII characters such as "→").
    static let textTypes: [String: MediaType] = [
        "html": MediaType(type: .text, subType: "html", parameter: ("charset", "utf-8")),
        "css": MediaType(type: .text, subType: "css", parameter: ("charset", "utf-8")),
        "js": MediaType(type: .text, subType: "javascript", parameter: ("charset", "utf-8")),
    ]
}
