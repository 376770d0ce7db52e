#include "benchcontext.h"

#include <eventium/store.h>

#include <QTextStream>

#include <algorithm>

namespace bench {

BenchContext::BenchContext(BenchConfig config, eventium::ConnectionOptions options)
    : m_config(std::move(config))
    , m_options(std::move(options))
{
}

QString BenchContext::baselineSchema(Variant variant)
{
    return QLatin1String(variant == Variant::Raw ? rawSchema : lockSchema);
}

QList<const char *> BenchContext::schemas()
{
    return {oursWriteSchema,
            oursReadSchema,
            oursNoSearchIndexSchema,
            oursNoRelatedIndexSchema,
            oursV4AppendSchema,
            rawSchema,
            lockSchema};
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
