/// The body of `POST /notify/messages`.
struct MessageRequest: ValidatableRequest {
    /// The order the message is about.
    let orderId: String
    /// The template name, e.g. `"order-confirmation"`.
    let template: String
    /// The recipient.
    let to: String

    func validate() throws(RequestValidationError) {
        try requireText(orderId, named: "orderId")
        try requireText(template, named: "template")
        try requireText(to, named: "to")
    }
}
