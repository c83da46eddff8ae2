#if canImport(Glibc)
    import Glibc
#endif

/// How many malloc arenas glibc may give the service's threads.
enum MallocArenas {
    /// The cap: one per core of the machines this runs on.
    static let cap: Int32 = 2

    /// Caps glibc's malloc arenas at ``cap`` unless the environment chose (`MALLOC_ARENA_MAX`, or `arena_max` in
    /// `GLIBC_TUNABLES`); call it before the service starts its threads.
    ///
    /// By default glibc hands out up to eight arenas per core, and each keeps the memory freed in it. With the
    /// service's forty-odd threads (event loops, the cooperative pool, the driver's blocking threads) that kept the
    /// resident size rising for the first few thousand orders; with two (and no large replies) it stays flat
    /// (BENCHMARKS.md, "Memory over 10,000 orders").
    static func capUnlessConfigured(environment: [String: String]) {
        #if canImport(Glibc)
            guard environment["MALLOC_ARENA_MAX"] == nil,
                !(environment["GLIBC_TUNABLES"] ?? "").contains("glibc.malloc.arena_max"),
                let mallopt
            else { return }
            _ = mallopt(arenaMaxParameter, cap)
        #endif
    }

    #if canImport(Glibc)
        /// glibc's `M_ARENA_MAX` parameter of `mallopt` (`malloc.h`, which Swift's Glibc module does not include).
        private static let arenaMaxParameter: Int32 = -8

        /// glibc's `mallopt`, found at run time for the same reason.
        private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = dlsym(nil, "mallopt").map {
            unsafeBitCast($0, to: (@convention(c) (Int32, Int32) -> Int32).self)
        }
    #endif
}
