import Foundation

extension OrderSagaClient {
    /// `GET /v1/sagas`: one page of sagas, newest started first.
    public func sagas(_ query: SagaListQuery) async throws(OrderSagaClientError) -> APIAnswer<SagaPage> {
        try await send(.GET, "/v1/sagas", query: query.parameters)
    }

    /// `GET /v1/sagas/stats`: how many sagas are in each status.
    public func sagaStats() async throws(OrderSagaClientError) -> APIAnswer<SagaStats> {
        try await send(.GET, "/v1/sagas/stats")
    }

    /// `GET /v1/orders/{id}/saga`: the saga's steps and history.
    public func saga(orderId: String) async throws(OrderSagaClientError) -> APIAnswer<SagaDetail> {
        try await send(.GET, "/v1/orders/\(Self.segment(orderId))/saga")
    }

    /// `POST /v1/sagas/retry`: retries every saga in a status (`STUCK`).
    public func retrySagas(_ request: BatchRetryRequest) async throws(OrderSagaClientError)
        -> APIAnswer<BatchRetryResult>
    {
        try await send(.POST, "/v1/sagas/retry", json: request)
    }
}
