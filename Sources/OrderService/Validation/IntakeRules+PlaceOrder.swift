import Orders
import SagaKit

extension IntakeRules {
    /// The rules of `POST /v1/orders`: the same body validation and the same refusals, so an intake document is
    /// rejected with exactly the `{field, message}` errors the `422` of that body would carry.
    static let placeOrder = IntakeRules(
        readRequest: { json in
            do throws(Problem) {
                return .success(try OrderRequest(json: json))
            } catch {
                return .failure(rejection(error))
            }
        },
        placementRefusal: { error in
            let problem = OrderAPI.problem(for: error)
            guard problem.status == .unprocessableContent else { return nil }
            return rejection(problem)
        })

    /// A validation problem's errors as an intake rejection.
    private static func rejection(_ problem: Problem) -> IntakeRejection {
        let errors = problem.errors ?? [FieldError(field: "/", message: problem.detail)]
        return IntakeRejection(errors.map { IntakeFieldError(field: $0.field, message: $0.message) })
    }
}
