#pragma once

#include "pgconnection.h"
#include "writertask.h"

#include <eventium/types.h>

#include <QList>
#include <QString>

#include <memory>

namespace bench {

// A writer on a libpq connection of its own: what the raw and lock baselines share.
class LibpqWriter : public WriterTask
{
public:
    LibpqWriter(QString conninfo, QString stream, int batch);

protected:
    bool connect(QString *error);
    // The prepared statement "ins" with the next events of the stream.
    eventium::pg::Rows insertNext();

    QString m_conninfo;
    QString m_stream;
    QList<eventium::NewEvent> m_events;
    std::unique_ptr<PgConnection> m_conn;
    qint64 m_version = 0;
};

} // namespace bench
