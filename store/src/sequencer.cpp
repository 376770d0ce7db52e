#include "sequencer.h"

#include "eventium/store.h"

namespace eventium {

Sequencer::Sequencer(Store *store, std::chrono::milliseconds pollInterval)
    : m_store(store)
    , m_poll(pollInterval)
    , m_thread([this] { run(); })
{
}

Sequencer::~Sequencer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void Sequencer::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_cv.notify_one();
}

void Sequencer::run()
{
    while (true) {
        bool woken = false;
        {
            std::unique_lock lock(m_mutex);
            woken = m_cv.wait_for(lock, m_poll, [this] { return m_woken || m_stopping; });
            m_woken = false;
            if (m_stopping)
                break;
        }
        // Let a burst of appends land first, so that one step numbers many of them.
        if (woken)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        drain(m_poll);
    }
    // Number what this process wrote before it goes away. (This thread's connections close
    // when it ends.)
    drain(std::chrono::milliseconds(2000));
}

void Sequencer::drain(std::chrono::milliseconds budget)
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + budget;
    auto backoff = std::chrono::milliseconds(1);
    if (m_role != Role::Primary) {
        // Which server is this? A step on a standby is an error in its log every time.
        auto replication = m_store->replication(StoreConnection::Write);
        if (!replication) {
            qCDebug(lcStore).noquote()
                << "sequencer: cannot tell the server's role:" << replication.error().toString();
            return;
        }
        const Role role = replication->standby ? Role::Standby : Role::Primary;
        if (role != m_role) {
            if (role == Role::Standby)
                qCInfo(lcStore) << "sequencer: the server is a hot standby; no steps until it "
                                   "is promoted";
            else if (m_role == Role::Standby)
                qCInfo(lcStore) << "sequencer: the server accepts writes now; stepping";
            m_role = role;
        }
        if (m_role == Role::Standby)
            return;
    }
    while (true) {
        auto step = m_store->sequenceStep();
        if (!step && step.error().sqlState() == QLatin1String("25006")) {
            // read_only_sql_transaction: this server became a standby (a failover back).
            m_role = Role::Unknown;
            return;
        }
        if (!step) {
            // A schema not migrated yet is normal for a moment (a store opened before migrate()).
            if (step.error().kind() == StoreError::Kind::Migration) {
                qCDebug(lcStore).noquote()
                    << "sequencer: schema not ready:" << step.error().toString();
                return;
            }
            // Once per outage: the first failure warns, the others while it lasts are only
            // counted (a server that is down fails every step, several times a second).
            if (++m_failedSteps == 1)
                qCWarning(lcStore).noquote() << "sequencer step failed:" << step.error().toString();
            else
                qCDebug(lcStore).noquote()
                    << "sequencer step failed again:" << step.error().toString();
            if (clock::now() >= deadline)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        if (m_failedSteps > 0) {
            qCInfo(lcStore).noquote()
                << QStringLiteral("sequencer recovered after %1 failed step%2")
                       .arg(m_failedSteps)
                       .arg(m_failedSteps == 1 ? QString() : QStringLiteral("s"));
            m_failedSteps = 0;
        }
        if (step->numbered > 0) {
            backoff = std::chrono::milliseconds(1);
            continue;
        }
        if (!step->pending && step->numbered == 0)
            return;
        // Pending but not yet stable, or another process is stepping.
        if (clock::now() >= deadline)
            return;
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(20));
    }
}

} // namespace eventium
