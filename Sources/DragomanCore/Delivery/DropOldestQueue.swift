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

    /// Appends; when full, makes room by dropping the oldest element that `isDroppable` (audio), and
    /// only if there is none, the oldest of all. Control messages thus survive a slow listener, and
    /// the drops counted are exactly the audio it missed: `weight` says how many packets an element holds
    /// (a message may bundle several).
    public mutating func append(
        _ element: Element,
        droppingFirst isDroppable: (Element) -> Bool,
        weight: (Element) -> Int = { _ in 1 }
    ) {
        guard count == storage.count else {
            append(element)
            return
        }
        guard let victim = (0..<count).first(where: { storage[(head + $0) % storage.count].map(isDroppable) ?? false }) else {
            storage[head] = element  // nothing droppable: the oldest goes, uncounted as audio
            head = (head + 1) % storage.count
            return
        }
        let dropped = storage[(head + victim) % storage.count].map(weight) ?? 1
        // Close the gap: everything after the victim moves one place towards the head.
        for offset in victim..<(count - 1) {
            storage[(head + offset) % storage.count] = storage[(head + offset + 1) % storage.count]
        }
        storage[(head + count - 1) % storage.count] = element
        droppedSinceLastReport += dropped
        droppedTotal += dropped
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
