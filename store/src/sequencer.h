#pragma once

#include <QtGlobal>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace eventium {

class Store;

// Runs sequencer steps in a thread of this process: woken by this process's appends and
// every poll interval, retrying with a short backoff while written events are not yet
// stable (another writer's transaction is still open) or another process holds the step.
// On a hot standby it only watches for a promotion (a standby cannot number anything; its
// primary's sequencer does, and the standby replays it).
class Sequencer
{
public:
    Sequencer(Store *store, std::chrono::milliseconds pollInterval);
    ~Sequencer();
    Sequencer(const Sequencer &) = delete;
    Sequencer &operator=(const Sequencer &) = delete;

    void wake();

private:
    void run();
    void drain(std::chrono::milliseconds budget);

    Store *m_store;
    std::chrono::milliseconds m_poll;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_woken = false;
    bool m_stopping = false;
    // Steps failed in a row (the sequencer's thread only): an outage is logged when it
    // begins and when it ends, not at every step.
    qint64 m_failedSteps = 0;
    // The server is a hot standby, which refuses a step (it cannot write): the sequencer asks
    // pg_is_in_recovery() instead of stepping until the server accepts writes (a promotion).
    // Unknown until the first drain.
    enum class Role { Unknown, Primary, Standby };
    Role m_role = Role::Unknown;
    std::thread m_thread;
};

} // namespace eventium
