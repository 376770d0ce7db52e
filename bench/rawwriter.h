#pragma once

#include "libpqwriter.h"

namespace bench {

// Plain INSERT (multi-row for a batch) in autocommit; unique (stream, version) is the
// optimistic concurrency check.
class RawWriter : public LibpqWriter
{
public:
    using LibpqWriter::LibpqWriter;
    bool prepare(QString *error) override;
    qint64 step(QString *error) override;
};

} // namespace bench
