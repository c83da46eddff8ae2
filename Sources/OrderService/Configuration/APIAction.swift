/// What a caller may do through the API; every route checks one action, never a role's name.
enum APIAction: String, CaseIterable, Sendable, Hashable, Comparable {
    case ordersPlace = "orders.place"
    case ordersRead = "orders.read"
    case sagasRead = "sagas.read"
    case sagasApprove = "sagas.approve"
    case sagasCancel = "sagas.cancel"
    case sagasRefund = "sagas.refund"
    case sagasRetry = "sagas.retry"
    case productsRead = "products.read"
    case productsWrite = "products.write"
    case auditRead = "audit.read"

    static func < (lhs: APIAction, rhs: APIAction) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A named set of actions: the built-in `operator`, `customer` and `viewer`.
struct Role: Sendable, Hashable {
    /// The role's name, as `API_KEYS` spells it.
    let name: String
    /// What the role may do.
    let actions: Set<APIAction>

    /// Everything.
    static let `operator` = Role(name: "operator", actions: Set(APIAction.allCases))
    /// Places orders and reads, cancels its own (a key bound to a customer sees only that customer's orders).
    static let customer = Role(name: "customer", actions: [.ordersPlace, .ordersRead, .sagasCancel, .productsRead])
    /// Reads everything an operator may read and changes nothing.
    static let viewer = Role(name: "viewer", actions: [.ordersRead, .sagasRead, .productsRead])

    /// The built-in roles by name.
    static let builtIn: [String: Role] = [Role.operator.name: .operator, customer.name: customer, viewer.name: viewer]

    /// Whether the role may do `action`.
    func allows(_ action: APIAction) -> Bool { actions.contains(action) }
}

extension Role {
    /// Why `AUTH_ROLES` does not parse.
    struct ParseError: Error, CustomStringConvertible, Equatable {
        let description: String
    }

    /// The built-in roles and the custom ones of `text` (`AUTH_ROLES`): `name=action,action;name=…`, such as
    /// `support=orders.read,sagas.read,sagas.cancel`. A custom role may not take a built-in role's name.
    static func table(parsing text: String) throws(ParseError) -> [String: Role] {
        var roles = builtIn
        let definitions = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        for definition in definitions {
            let parts = definition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, let name = parts.first, !name.isEmpty,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else {
                throw ParseError(description: "AUTH_ROLES: '\(definition)' is not name=action,action")
            }
            guard builtIn[name] == nil else {
                throw ParseError(description: "AUTH_ROLES: \(name) is a built-in role and cannot be redefined")
            }
            guard roles[name] == nil else { throw ParseError(description: "AUTH_ROLES: \(name) is defined twice") }
            var actions: Set<APIAction> = []
            for text in parts[1].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !text.isEmpty {
                guard let action = APIAction(rawValue: text) else {
                    let known = APIAction.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ParseError(
                        description: "AUTH_ROLES: \(name) names an unknown action '\(text)' (known: \(known))")
                }
                actions.insert(action)
            }
            guard !actions.isEmpty else { throw ParseError(description: "AUTH_ROLES: \(name) has no actions") }
            roles[name] = Role(name: name, actions: actions)
        }
        return roles
    }
}
