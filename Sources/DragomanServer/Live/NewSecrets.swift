public import DragomanCore

/// An event just made, with its floor token: the one moment the server knows the token in the clear
/// (it keeps only a hash). Reads like the definition: `event.code`, `event.languages`.
@dynamicMemberLookup
public struct NewEvent: Sendable {
    public var definition: EventDefinition
    /// The token that opens the floor, to show the organizer now.
    public var floorToken: String

    public init(definition: EventDefinition, floorToken: String) {
        self.definition = definition
        self.floorToken = floorToken
    }

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<EventDefinition, Value>) -> Value {
        get { definition[keyPath: keyPath] }
        set { definition[keyPath: keyPath] = newValue }
    }
}

/// An interpreter just made or given a new key, with the key in the clear, to show the organizer now.
/// Reads like the interpreter: `interpreter.id`, `interpreter.booth`.
@dynamicMemberLookup
public struct NewInterpreter: Sendable {
    public var interpreter: Interpreter
    /// The key that opens the interpreter's console.
    public var key: String

    public init(interpreter: Interpreter, key: String) {
        self.interpreter = interpreter
        self.key = key
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Interpreter, Value>) -> Value { interpreter[keyPath: keyPath] }
}
