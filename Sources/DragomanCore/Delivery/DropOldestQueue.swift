/// A bounded FIFO that makes room by dropping its oldest element, and counts what it dropped.
///
/// Each listener has one: a listener that stops reading loses its own oldest packets,
/// so nothing it does can hold memory or time from anybody else.
public struct DropOldestQueue<Element> {
    private var storage: [Element?]
    private var head = 0
    public private(set) var count = 0
    /// Elements dropped since the last `takeDroppedCount()`.
    public private(set) var droppedSinceLastReport = 0
    /// Elements dropped in all.
    public private(set) var droppedTotal = 0

    /// The most elements the queue holds.
    public var capacity: Int { storage.count }
    public var isEmpty: Bool { count == 0 }

    public init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for at least one element")
        storage = Array(repeating: nil, count: capacity)
    }

    /// Appends, dropping the oldest element when full.
    public mutating func append(_ element: Element) {
        if count == storage.count {
            storage[head] = nil
            head = (head + 1) % storage.count
            count -= 1
            droppedSinceLastReport += 1
            droppedTotal += 1
        }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    /// Removes and returns the oldest element.
    public mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    /// Returns the drops since the last call and resets that count.
    public mutating func takeDroppedCount() -> Int {
        defer { droppedSinceLastReport = 0 }
        return droppedSinceLastReport
    }

    /// Empties the queue without counting drops.
    public mutating func removeAll() {
        for i in storage.indices { storage[i] = nil }
        head = 0
        count = 0
    }
}
