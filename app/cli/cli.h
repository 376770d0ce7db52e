#pragma once

#include "clierror.h"
#include "jsonlineswriter.h"

#include <eventium/connectionoptions.h>
#include <eventium/store.h>

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <span>

namespace eventium::cli {

struct Command;
class OptionParser;

// The `eventium` command line: global options, then one command that talks to the store and
// writes JSON lines to stdout. Errors are one "eventium: ..." line on stderr plus an exit code
// (see exitcode.h).
class Cli
{
public:
    Cli();
    ~Cli();
    Cli(const Cli &) = delete;
    Cli &operator=(const Cli &) = delete;

    // `arguments` as QCoreApplication::arguments() gives them (program name first).
    int run(const QStringList &arguments);

private:
    int migrate(const OptionParser &options);
    int append(const OptionParser &options);
    int read(const OptionParser &options);
    int streams(const OptionParser &options);
    int streamInfo(const OptionParser &options);
    int erase(const OptionParser &options);
    int diff(const OptionParser &options);
    int related(const OptionParser &options);
    // The state after a version by the stream's category's projection (bank/projections.h).
    int state(const OptionParser &options);
    int deleteStream(const OptionParser &options);
    int roles(const OptionParser &options);
    int truncate(const OptionParser &options);
    int metadata(const OptionParser &options);
    int scavenge(const OptionParser &options);
    int tail(const OptionParser &options);
    int search(const OptionParser &options);
    int types(const OptionParser &options);
    int exportCommand(const OptionParser &options);
    int importCommand(const OptionParser &options);
    // Prints the global sequence from `from` through `filter` (at most `limit` events).
    int printGlobal(GlobalPosition from, qint64 limit, const GlobalFilter &filter);
    // One stream's events that match `filter`, in version order, up to `limit`.
    int printStreamSearch(const StreamName &stream, StreamVersion from, qint64 limit,
                          const GlobalFilter &filter);
    int subscriptions(const OptionParser &options);
    int stats(const OptionParser &options);
    // The servers of the write and the read connection: who they are, primary or standby,
    // and a standby's replay lag.
    int status(const OptionParser &options);
    int activity(const OptionParser &options);
    int sample(const OptionParser &options);
    int embedded(const OptionParser &options);

    // The commands, in the order the overview lists them.
    static std::span<const Command> commands();
    // nullptr for an unknown command.
    static const Command *findCommand(const QString &name);
    static void addGlobalOptions(OptionParser &parser);
    void applyGlobalOptions(const OptionParser &parser);
    // m_pooler from --pooler, else $EVENTIUM_POOLER; empty when it is one of the modes,
    // otherwise why not.
    QString resolvePooler();

    // Connects (exit 5 when that fails) and, with `migrateIfMissing`, creates the schema
    // when it does not exist yet. A reading command (Command::reads) with a read connection
    // reads there: that connection is the one that must answer, and the schema is checked
    // there (created or upgraded on the write connection when it is missing or behind).
    std::optional<CliError> openStore(bool migrateIfMissing);
    // After a migration: waits (a few seconds at most) until the read connection has it.
    void waitForReadSchema();
    // Numbers what this process wrote before it exits.
    void sequenceBeforeExit(std::chrono::milliseconds timeout);
    // A line on stderr with --verbose only.
    void note(const QString &message) const;
    static int usage(const QString &command, const QString &message);

    QString m_db;
    QString m_readDb;
    QString m_schema;
    QString m_poolerText; // --pooler as given
    PoolerMode m_pooler = PoolerMode::Direct;
    const Command *m_command = nullptr; // the command being run
    bool m_verbose = false;
    ConnectionOptions m_options;
    std::optional<ConnectionOptions> m_readOptions; // a reading command's read connection
    std::unique_ptr<Store> m_store;
    JsonLinesWriter m_out;
};

} // namespace eventium::cli
