#pragma once

#include "libpqwriter.h"

namespace bench {

// Plain INSERT (multi-row for a batch) in autocommit; unique (stream, version) is the
// optimistic concurrency check. Into the raw schema's `events` unless told another table.
class RawWriter : public LibpqWriter
{
public:
    RawWriter(QString conninfo, QString stream, int batch,
              QString table = QStringLiteral("events"));
    bool prepare(QString *error) override;
    qint64 step(QString *error) override;

private:
    QString m_table;
};

} // namespace bench
