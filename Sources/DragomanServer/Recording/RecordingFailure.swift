import DragomanCore
import Foundation

/// Why a recording stopped, from the error a write gave.
enum RecordingFailure {
    /// A full disk (ENOSPC, a quota, a file size limit) or another write failure, with the system's words.
    static func problem(_ error: any Error) -> RecordingProblem {
        let nsError = error as NSError
        if let code = posixCode(of: nsError) {
            return RecordingProblem(diskFull: [ENOSPC, EDQUOT, EFBIG].contains(code), detail: String(cString: strerror(code)))
        }
        let outOfSpace = nsError.domain == NSCocoaErrorDomain && nsError.code == CocoaError.fileWriteOutOfSpace.rawValue
        return RecordingProblem(diskFull: outOfSpace, detail: nsError.localizedDescription)
    }

    /// The errno inside a Foundation error, if any (FileHandle reports write errors as POSIX or Cocoa errors).
    private static func posixCode(of error: NSError) -> Int32? {
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError { return posixCode(of: underlying) }
        return nil
    }
}
