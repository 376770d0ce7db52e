#pragma once

namespace eventium::cli {

// The process exit codes of the command line; scripts rely on them.
enum ExitCode : int {
    ExitSuccess = 0,
    ExitFailure = 1, // anything else
    ExitUsage = 2, // bad arguments
    ExitWrongVersion = 3, // the stream was not at the expected version
    ExitConflict = 3, // the same code: something else holds what was to change (a subscription)
    ExitBadInput = 4, // invalid JSON, NUL bytes, bad names, payload too large, ...
    ExitNoConnection = 5, // cannot connect (or the embedded server cannot start)
    ExitStreamDeleted = 6, // the stream is deleted for good (a tombstone)
    ExitNoProjection = 7, // `state`: no projection is registered for the stream's category
    // `follow`: the server's history is not the one already printed (a failover lost commits)
    ExitHistoryRewritten = 8,
};

} // namespace eventium::cli
