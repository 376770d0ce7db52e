#include "benchcontext.h"

#include <eventium/embeddedpostgres.h>

#include <eventium/store.h>

#include <QTextStream>

#include <algorithm>

namespace bench {

BenchContext::BenchContext(BenchConfig config, eventium::ConnectionOptions options)
    : m_config(std::move(config))
    , m_options(std::move(options))
{
}

BenchContext::~BenchContext() = default;

bool BenchContext::ensureStandby(QString *error)
{
    if (m_standby)
        return true;
    if (!m_server) {
        *error = QStringLiteral("a standby is made of the private server; not with --db");
        return false;
    }
    eventium::EmbeddedPostgres::Settings settings = eventium::EmbeddedPostgres::temporarySettings();
    // As the primary runs (durability and tuning), replaying its WAL.
    settings.durable = m_server->settings().durable;
    settings.tuned = m_server->settings().tuned;
    settings.serverSettings << QStringLiteral("hot_standby = on");
    progress(QStringLiteral("making a hot standby in %1").arg(settings.dataDir));
    if (auto r = m_server->makeStandby(settings.dataDir, QStringLiteral("bench_standby")); !r) {
        *error = r.error().toString();
        return false;
    }
    auto standby = std::make_unique<eventium::EmbeddedPostgres>(settings);
    if (auto r = standby->start(); !r) {
        *error = r.error().toString();
        return false;
    }
    m_standby = std::move(standby);
    return true;
}

eventium::ConnectionOptions BenchContext::standbyOptions() const
{
    return m_standby ? m_standby->connectionOptions() : eventium::ConnectionOptions {};
}

void BenchContext::dropStandby()
{
    m_standby.reset(); // a temporary server: stopped and removed
}

QString BenchContext::baselineSchema(Variant variant)
{
    switch (variant) {
    case Variant::Peer:
        return QLatin1String(peerSchema);
    case Variant::Lock:
        return QLatin1String(lockSchema);
    case Variant::Ours:
    case Variant::Raw:
        break;
    }
    return QLatin1String(rawSchema);
}

QList<const char *> BenchContext::schemas()
{
    return {oursWriteSchema,
            oursReadSchema,
            oursNoSearchIndexSchema,
            oursNoRelatedIndexSchema,
            oursNoRecencyIndexSchema,
            oursCoreIndexesSchema,
            oursV4AppendSchema,
            rawSchema,
            lockSchema,
            peerSchema};
}

QString BenchContext::conninfo() const
{
    return m_options.toConnInfo();
}

std::unique_ptr<eventium::Store> BenchContext::makeWriteStore(const char *schema) const
{
    eventium::StoreSettings settings;
    settings.poolSize = std::max(16, m_config.concurrentWriters + 4);
    settings.schema = QLatin1String(schema);
    return std::make_unique<eventium::Store>(m_options, settings);
}

void BenchContext::progress(const QString &line) const
{
    QTextStream err(stderr);
    err << "  " << line << Qt::endl;
}

} // namespace bench
