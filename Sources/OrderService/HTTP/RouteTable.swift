import Hummingbird

/// Registers routes and answers 405 (with `Allow`) for the other methods on the same paths.
///
/// Hummingbird's router answers 404 when a path exists but not for the method; an API's users expect 405.
struct RouteTable {
    private var methods: [String: Set<HTTPRequest.Method>] = [:]

    /// Remembers that `path` answers `method`.
    mutating func record(_ method: HTTPRequest.Method, _ path: String) {
        methods[path, default: []].insert(method)
    }

    /// Adds a 405 handler for every common method a recorded path does not answer.
    func addMethodNotAllowed(to router: some RouterMethods<APIRequestContext>) {
        let common: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        for (path, allowed) in methods {
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            for method in common where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    var problem = Problem.status(.methodNotAllowed, "\(path) answers \(allow)")
                    problem.headers[.allow] = allow
                    throw problem
                }
            }
        }
    }
}
