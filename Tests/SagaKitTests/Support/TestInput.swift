import Foundation
import SagaKit

/// The input of the test sagas.
struct TestInput: Codable, Sendable, Hashable {
    var orderId: String
    var amount: String
    var needsApproval: Bool

    init(orderId: String = "o-1", amount: String = "12.50", needsApproval: Bool = false) {
        self.orderId = orderId
        self.amount = amount
        self.needsApproval = needsApproval
    }
}

/// What a test step returns.
struct Receipt: Codable, Sendable, Hashable {
    var step: String
    var key: String
    var attempt: Int
}

/// An empty result.
struct Nothing: Codable, Sendable, Hashable {}
