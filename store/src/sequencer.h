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
    std::thread m_thread;
};

} // namespace eventium
