/// The card tokens the sandbox gateway understands, each acting out one behaviour.
enum PaymentToken: Equatable, Sendable {
    /// `tok_visa`: the charge succeeds.
    case visa
    /// `tok_chargeDeclined`: the card is declined (402, failed ledger entry).
    case declined
    /// `tok_flaky`: the first two attempts for an order answer 503, later ones succeed.
    case flaky
    /// `tok_slow`: the first attempt for an order is recorded at once but answered late.
    case slow
    /// Any other token: refused as invalid (402, failed ledger entry).
    case invalid

    /// How many attempts per order `tok_flaky` fails before it succeeds.
    static let flakyFailuresPerOrder = 2

    /// Whether a charge with this token that gets past the simulated failures takes the money.
    var chargeSucceeds: Bool {
        switch self {
        case .visa, .flaky, .slow: true
        case .declined, .invalid: false
        }
    }

    /// The behaviour of the token text `token`.
    init(_ token: String) {
        switch token {
        case "tok_visa": self = .visa
        case "tok_chargeDeclined": self = .declined
        case "tok_flaky": self = .flaky
        case "tok_slow": self = .slow
        default: self = .invalid
        }
    }
}
