#pragma once

#include "libpqwriter.h"

namespace bench {

// The table-lock design: BEGIN; LOCK TABLE ... IN EXCLUSIVE MODE; SELECT max(version) of the
// stream; INSERT; COMMIT. BEGIN and LOCK go in one round trip.
class LockWriter : public LibpqWriter
{
public:
    using LibpqWriter::LibpqWriter;
    bool prepare(QString *error) override;
    qint64 step(QString *error) override;

private:
    QString m_begin;
};

} // namespace bench
