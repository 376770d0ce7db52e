#pragma once

#include "statistics.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QUuid>

#include <mutex>

namespace bench {

// When each event arrived at the receiving end of a live-latency round, by id: noted by the
// receiving thread, read by the probing one.
class Receipts
{
public:
    void note(const QUuid &id, Clock::time_point time);
    // Waits up to 3 s for every probe (id, time its append was acknowledged) to arrive, then
    // appends each latency to `samples` and counts the probes that never arrived.
    void collect(const QList<QPair<QUuid, Clock::time_point>> &probes, QList<double> *samples,
                 int *missing);

private:
    std::mutex m_mutex;
    QHash<QUuid, Clock::time_point> m_received;
};

} // namespace bench
