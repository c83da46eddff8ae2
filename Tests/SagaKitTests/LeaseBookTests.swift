import Foundation
import Testing

@testable import SagaKit

@Suite("The lease book")
struct LeaseBookTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("a renewal extends the leases it renewed and marks lost the others it asked for")
    func renewalExtendsOrMarksLost() {
        let book = LeaseBook()
        book.hold("kept", until: now)
        book.hold("taken-by-another", until: now)
        let lost = book.applyRenewal(asked: book.held, renewed: ["kept"], until: now + 30)

        #expect(lost == 1)

        #expect(book.entry("kept")?.until == now + 30)
        #expect(book.entry("kept")?.lost == false)
        #expect(book.entry("taken-by-another")?.lost == true)
        #expect(Set(book.held.keys) == ["kept"], "a lost lease is not renewed again")
    }

    @Test("a renewal's answer does not mark lost a lease let go and taken again while the renewal ran")
    func renewalIgnoresALaterHolding() {
        let book = LeaseBook()
        book.hold("saga", until: now)
        let asked = book.held
        // While the renewal's round trip runs, the runner lets the saga go (the store's lease is released, so the
        // renewal will not renew it) and a claim takes it again.
        book.forget("saga")
        book.hold("saga", until: now + 30)
        let lost = book.applyRenewal(asked: asked, renewed: [], until: now + 60)

        #expect(lost == 0, "none is reported lost")
        #expect(book.entry("saga")?.lost == false, "the new holding is not the one the renewal asked about")
        #expect(book.entry("saga")?.until == now + 30, "nor is it extended by that renewal")
        #expect(book.entry("saga")?.generation != asked["saga"])
    }

    @Test("holding a lease again without letting it go keeps its generation and never shortens it")
    func holdingAgainKeepsTheGeneration() {
        let book = LeaseBook()
        book.hold("saga", until: now + 30)
        let generation = book.entry("saga")?.generation
        book.hold("saga", until: now + 10)

        #expect(book.entry("saga")?.generation == generation)
        #expect(book.entry("saga")?.until == now + 30)
    }
}
