#pragma once

#include "writertask.h"

#include <eventium/types.h>

#include <QList>
#include <QString>

namespace eventium {
class Store;
}

namespace bench {

// Appends through the store with an exact expected version.
class OursWriter : public WriterTask
{
public:
    OursWriter(eventium::Store *store, QString stream, int batch);
    bool prepare(QString *error) override;
    qint64 step(QString *error) override;

private:
    qint64 append(QString *error);

    eventium::Store *m_store;
    eventium::StreamName m_stream;
    QList<eventium::NewEvent> m_events;
    qint64 m_version = 0;
};

} // namespace bench
