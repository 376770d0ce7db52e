#include "rawwriter.h"

#include "benchcontext.h"
#include "workload.h"

namespace bench {

RawWriter::RawWriter(QString conninfo, QString stream, int batch, QString table)
    : LibpqWriter(std::move(conninfo), std::move(stream), batch)
    , m_table(std::move(table))
{
}

bool RawWriter::prepare(QString *error)
{
    if (!connect(error)
        || !m_conn->prepare("ins",
                            Workload::insertSql(QLatin1String(BenchContext::rawSchema), m_table,
                                                int(m_events.size())),
                            error))
        return false;
    return step(error) > 0;
}

qint64 RawWriter::step(QString *error)
{
    eventium::pg::Rows r = insertNext();
    if (!r.ok()) {
        *error = PgConnection::errorText(r);
        return -1;
    }
    m_version += m_events.size();
    return m_events.size();
}

} // namespace bench
