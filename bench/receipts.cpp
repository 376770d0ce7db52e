#include "receipts.h"

#include <algorithm>
#include <thread>

namespace bench {

void Receipts::note(const QUuid &id, Clock::time_point time)
{
    std::lock_guard lock(m_mutex);
    m_received.insert(id, time);
}

void Receipts::collect(const QList<QPair<QUuid, Clock::time_point>> &probes, QList<double> *samples,
                       int *missing)
{
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    while (true) {
        int outstanding = 0;
        {
            std::lock_guard lock(m_mutex);
            for (const auto &p : probes)
                outstanding += m_received.contains(p.first) ? 0 : 1;
        }
        if (outstanding == 0 || Clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(m_mutex);
    for (const auto &p : probes) {
        auto it = m_received.constFind(p.first);
        if (it == m_received.constEnd()) {
            ++*missing;
            continue;
        }
        // A receipt may race ahead of the writer's return from COMMIT: that is 0 ms.
        samples->append(std::max(0.0, msBetween(p.second, it.value())));
    }
}

} // namespace bench
