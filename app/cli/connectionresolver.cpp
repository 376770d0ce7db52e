#include "connectionresolver.h"

#include <eventium/embeddedpostgres.h>

#include <QFileInfo>

namespace eventium::cli {

std::optional<ConnectionOptions> ConnectionResolver::resolve()
{
    QString text = m_db;
    m_source = QStringLiteral("--db");
    if (text.isEmpty()) {
        text = qEnvironmentVariable("DATABASE_URL");
        m_source = QStringLiteral("DATABASE_URL");
    }
    if (!text.isEmpty()) {
        auto parsed = ConnectionOptions::parse(text);
        if (!parsed) {
            m_error
                = CliError::usage(QStringLiteral("%1: %2").arg(m_source, parsed.error().message()));
            return std::nullopt;
        }
        return parsed.value();
    }

    m_source = QStringLiteral("embedded");
    const EmbeddedPostgres server {EmbeddedPostgres::Settings {}};
    if (QFileInfo::exists(server.settings().dataDir + QStringLiteral("/postmaster.pid")))
        return server.connectionOptions();
    return startEmbedded();
}

bool ConnectionResolver::resolveReader()
{
    m_reader.reset();
    m_readerSource.clear();
    QString text = m_readDb;
    QString source = QStringLiteral("--read-db");
    if (text.isEmpty() && m_source == QLatin1String("DATABASE_URL")) {
        text = qEnvironmentVariable("DATABASE_READ_URL");
        source = QStringLiteral("DATABASE_READ_URL");
    }
    if (text.isEmpty())
        return true;
    auto parsed = ConnectionOptions::parse(text);
    if (!parsed) {
        m_error = CliError::usage(QStringLiteral("%1: %2").arg(source, parsed.error().message()));
        return false;
    }
    m_reader = parsed.value();
    m_readerSource = source;
    return true;
}

std::optional<ConnectionOptions> ConnectionResolver::startEmbedded()
{
    m_started = true;
    EmbeddedPostgres server {EmbeddedPostgres::Settings {}};
    if (m_verbose)
        CliError::printLine(QStringLiteral("starting the embedded PostgreSQL in %1 if needed")
                                .arg(server.settings().dataDir));
    auto started = server.start();
    if (!started) {
        m_error = CliError(ExitNoConnection, started.error().toString());
        return std::nullopt;
    }
    return server.connectionOptions();
}

} // namespace eventium::cli
