#pragma once

#include "clierror.h"

#include <eventium/connectionoptions.h>

#include <optional>

namespace eventium::cli {

// Where the command line connects: --db, else $DATABASE_URL, else the embedded server
// (started when it is not running, and left running so the next command is fast). Where the
// reading commands read: --read-db, else $DATABASE_READ_URL while the write connection comes
// from $DATABASE_URL (a --db names a server whose reads the environment knows nothing of),
// else the write connection.
class ConnectionResolver
{
public:
    ConnectionResolver(QString db, bool verbose, QString readDb = {})
        : m_db(std::move(db))
        , m_readDb(std::move(readDb))
        , m_verbose(verbose)
    {
    }

    // For the embedded server, a server that looks running (it has a postmaster.pid) is
    // taken as it is, without asking pg_ctl: the first query tells. When it fails, call
    // startEmbedded() and try again.
    std::optional<ConnectionOptions> resolve();
    // True when the embedded server was assumed running and was not started here.
    bool mayStartEmbedded() const { return m_source == QLatin1String("embedded") && !m_started; }
    // Starts the embedded server (idempotent; reuses a running one).
    std::optional<ConnectionOptions> startEmbedded();
    // Set when resolve() or startEmbedded() returned nullopt.
    const CliError &error() const { return m_error; }
    // "--db", "DATABASE_URL" or "embedded"
    const QString &source() const { return m_source; }

    // The read connection, after resolve(): nullopt when there is none (reads go to the write
    // connection); false with error() set when it does not parse.
    bool resolveReader();
    const std::optional<ConnectionOptions> &reader() const { return m_reader; }
    // "--read-db" or "DATABASE_READ_URL" (empty without a read connection)
    const QString &readerSource() const { return m_readerSource; }

private:
    QString m_db;
    QString m_readDb;
    std::optional<ConnectionOptions> m_reader;
    QString m_readerSource;
    bool m_verbose;
    CliError m_error;
    QString m_source;
    bool m_started = false;
};

} // namespace eventium::cli
