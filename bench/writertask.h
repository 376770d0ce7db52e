#pragma once

#include <QString>

namespace bench {

// One writer of an append measurement: prepare() runs before the clock starts (connect,
// prepare statements, one warm-up append), step() appends once and returns the number of
// events written, or -1 with an error.
class WriterTask
{
public:
    virtual ~WriterTask() = default;
    virtual bool prepare(QString *error) = 0;
    virtual qint64 step(QString *error) = 0;
};

} // namespace bench
