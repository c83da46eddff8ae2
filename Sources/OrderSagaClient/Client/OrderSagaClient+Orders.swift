import Foundation

extension OrderSagaClient {
    /// `POST /v1/orders` with a body already encoded (a file's contents), sent unchanged.
    public func placeOrder(body: Data, idempotencyKey: String? = nil) async throws(OrderSagaClientError)
        -> APIAnswer<PlacedOrder>
    {
        try await send(.POST, "/v1/orders", body: body, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// `POST /v1/orders`.
    public func placeOrder(_ request: PlaceOrderRequest, idempotencyKey: String? = nil)
        async throws(OrderSagaClientError) -> APIAnswer<PlacedOrder>
    {
        try await send(
            .POST, "/v1/orders", json: request, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// `GET /v1/orders/{id}`: the order and its saga's summary.
    public func order(_ orderId: String) async throws(OrderSagaClientError) -> APIAnswer<OrderDocument> {
        try await send(.GET, "/v1/orders/\(Self.segment(orderId))")
    }

    /// `POST /v1/orders/{id}/{action}`, with `{"reason": …}` when a reason is given.
    public func command(_ action: OrderAction, orderId: String, reason: String? = nil)
        async throws(OrderSagaClientError) -> APIAnswer<CommandAnswer>
    {
        let path = "/v1/orders/\(Self.segment(orderId))/\(action.rawValue)"
        if let reason { return try await send(.POST, path, json: CommandBody(reason: reason)) }
        return try await send(.POST, path)
    }
}
