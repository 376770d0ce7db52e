#include "ourswriter.h"

#include "workload.h"

#include <eventium/store.h>

namespace bench {

OursWriter::OursWriter(eventium::Store *store, QString stream, int batch)
    : m_store(store)
    , m_stream(std::move(stream))
    , m_events(Workload::newEvents(0, batch))
{
}

bool OursWriter::prepare(QString *error)
{
    return append(error) > 0;
}

qint64 OursWriter::step(QString *error)
{
    return append(error);
}

qint64 OursWriter::append(QString *error)
{
    auto r = m_store->append(m_stream, eventium::ExpectedVersion::exact(m_version), m_events);
    if (!r) {
        *error = r.error().toString();
        return -1;
    }
    if (r->isConflict()) {
        *error = QStringLiteral("unexpected version conflict on %1").arg(m_stream.value());
        return -1;
    }
    m_version += m_events.size();
    return m_events.size();
}

} // namespace bench
