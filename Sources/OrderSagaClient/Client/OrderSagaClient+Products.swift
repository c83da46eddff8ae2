import Foundation

extension OrderSagaClient {
    /// `POST /v1/products`: creates or replaces a catalog item.
    public func putProduct(_ input: ProductInput) async throws(OrderSagaClientError) -> APIAnswer<Product> {
        try await send(.POST, "/v1/products", json: input)
    }

    /// `GET /v1/products/{sku}`.
    public func product(sku: String) async throws(OrderSagaClientError) -> APIAnswer<Product> {
        try await send(.GET, "/v1/products/\(Self.segment(sku))")
    }

    /// `GET /v1/products`: one page of the catalog.
    public func products(limit: Int? = nil, cursor: String? = nil) async throws(OrderSagaClientError)
        -> APIAnswer<ProductPage>
    {
        let query = [("limit", limit.map(String.init)), ("cursor", cursor)].compactMap { name, value in
            value.map { (name, $0) }
        }
        return try await send(.GET, "/v1/products", query: query)
    }
}
