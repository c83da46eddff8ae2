/// The body of `POST /payments/charges`.
struct ChargeRequest: ValidatableRequest {
    /// The order being paid for.
    let orderId: String
    /// The exact decimal amount to take.
    let amount: String
    /// The currency code.
    let currency: String
    /// The card token; test tokens such as `tok_visa` choose the gateway's behaviour.
    let token: String

    func validate() throws(RequestValidationError) {
        try requireText(orderId, named: "orderId")
        try requireText(token, named: "token")
        guard MoneyAmount.isValidAmount(amount) else {
            throw RequestValidationError(message: "field 'amount' must be a decimal string such as \"12.50\"")
        }
        guard MoneyAmount.isValidCurrency(currency) else {
            throw RequestValidationError(message: "field 'currency' must be three uppercase letters")
        }
    }
}
