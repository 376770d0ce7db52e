#pragma once

#include "clierror.h"

#include <eventium/connectionoptions.h>

#include <optional>

namespace eventium::cli {

// Where the command line connects: --db, else $DATABASE_URL, else the embedded server
// (started when it is not running, and left running so the next command is fast).
class ConnectionResolver
{
public:
    ConnectionResolver(QString db, bool verbose)
        : m_db(std::move(db))
        , m_verbose(verbose)
    {
    }

    std::optional<ConnectionOptions> resolve();
    // Set when resolve() returned nullopt.
    const CliError &error() const { return m_error; }
    // "--db", "DATABASE_URL" or "embedded"
    const QString &source() const { return m_source; }

private:
    QString m_db;
    bool m_verbose;
    CliError m_error;
    QString m_source;
};

} // namespace eventium::cli
