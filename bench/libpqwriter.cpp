#include "libpqwriter.h"

#include "workload.h"

namespace bench {

LibpqWriter::LibpqWriter(QString conninfo, QString stream, int batch)
    : m_conninfo(std::move(conninfo))
    , m_stream(std::move(stream))
    , m_events(Workload::newEvents(0, batch))
{
}

bool LibpqWriter::connect(QString *error)
{
    m_conn = std::make_unique<PgConnection>(m_conninfo);
    if (m_conn->isOk())
        return true;
    *error = m_conn->errorMessage();
    return false;
}

eventium::pg::Rows LibpqWriter::insertNext()
{
    return m_conn->execPrepared("ins", Workload::insertParams(m_stream, m_version + 1, m_events));
}

} // namespace bench
