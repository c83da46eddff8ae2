import Foundation

/// Due times by key, earliest first; scheduling a key again replaces its due time.
///
/// The engine keeps one of saga ids (sagas it parked) and ``DeadlineTimer`` one of its pending deadlines.
struct TimerHeap<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        let dueAt: Date
        let key: Key
    }

    private var heap: [Entry] = []
    private var current: [Key: Date] = [:]

    /// How many keys have a due time.
    var count: Int { current.count }

    /// The earliest due time.
    var nextDueAt: Date? {
        var copy = self
        return copy.dropStaleAndPeek()
    }

    /// The earliest due time, dropping the stale entries in front of it.
    mutating func dropStaleAndPeek() -> Date? {
        dropStale()
        return heap.first?.dueAt
    }

    /// Sets `key`'s due time.
    mutating func schedule(_ key: Key, at dueAt: Date) {
        current[key] = dueAt
        heap.append(Entry(dueAt: dueAt, key: key))
        siftUp(heap.count - 1)
        compactIfSparse()
    }

    /// Forgets `key`'s due time.
    mutating func cancel(_ key: Key) {
        guard current.removeValue(forKey: key) != nil else { return }
        compactIfSparse()
    }

    /// How many entries the heap stores, stale ones included (never more than about twice ``count``).
    var storedEntries: Int { heap.count }

    /// Rebuilds the heap from the live due times once stale entries outnumber them.
    private mutating func compactIfSparse() {
        guard heap.count > 2 * current.count + 16 else { return }
        heap = current.map { Entry(dueAt: $0.value, key: $0.key) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    /// Removes and returns the keys due at or before `now`, earliest first.
    mutating func popDue(now: Date) -> [Key] {
        var due: [Key] = []
        while true {
            dropStale()
            guard let top = heap.first, top.dueAt <= now else { return due }
            removeTop()
            current[top.key] = nil
            due.append(top.key)
        }
    }

    private mutating func dropStale() {
        while let top = heap.first, current[top.key] != top.dueAt {
            removeTop()
        }
    }

    private mutating func removeTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        siftDown(0)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].dueAt < heap[parent].dueAt else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].dueAt < heap[smallest].dueAt { smallest = left }
            if right < heap.count, heap[right].dueAt < heap[smallest].dueAt { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
