#pragma once

namespace eventium::cli {

class Cli;
class OptionParser;

// One command of the command line: everything parsing, dispatch and help need of it. The
// commands are one table, Cli::commands().
struct Command
{
    const char *name = nullptr;
    const char *summary = nullptr; // its line in `eventium --help`
    // `eventium NAME --help`; the global options (when it uses the store) and the exit
    // codes follow.
    const char *help = nullptr;
    bool usesStore = true; // takes --db and --schema
    // Only reads: its store reads through --read-db / $DATABASE_READ_URL when given (a hot
    // standby, say). A command that writes never does.
    bool reads = false;
    void (*addOptions)(OptionParser &parser) = nullptr; // its own options, if any
    int (Cli::*run)(const OptionParser &options) = nullptr;
};

} // namespace eventium::cli
