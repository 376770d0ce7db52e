#include "cancellationaccess.h"

#include <QLoggingCategory>

#include <libpq-fe.h>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace eventium {

Cancellation::Cancellation()
    : m_state(std::make_shared<State>())
{
}

Cancellation::Cancellation(std::shared_ptr<State> state)
    : m_state(std::move(state))
{
}

Cancellation Cancellation::none()
{
    return Cancellation(nullptr);
}

void Cancellation::cancel()
{
    if (!m_state)
        return;
    std::lock_guard lock(m_state->mutex);
    if (m_state->cancelled)
        return;
    m_state->cancelled = true;
    for (State::Running *running : m_state->running) {
        if (!running->handle)
            continue;
        // PQcancel opens a connection of its own to the server and asks it to cancel what
        // the statement's backend is running.
        char why[256] = {};
        if (PQcancel(running->handle, why, int(sizeof why)))
            running->sent = true;
        else
            qCWarning(lcStore).noquote() << "could not send a cancel request:" << why;
    }
}

bool Cancellation::isCancelled() const
{
    if (!m_state)
        return false;
    std::lock_guard lock(m_state->mutex);
    return m_state->cancelled;
}

CancelRegistration::CancelRegistration(const Cancellation &cancellation, pg_conn *conn)
    : m_state(CancellationAccess::state(cancellation))
{
    if (!m_state)
        return;
    // PQgetCancel() outside the lock: it only reads the connection, which is this thread's.
    PGcancel *handle = conn ? PQgetCancel(conn) : nullptr;
    std::lock_guard lock(m_state->mutex);
    if (m_state->cancelled) {
        m_refused = true;
        if (handle)
            PQfreeCancel(handle);
        return;
    }
    m_running.handle = handle;
    m_state->running.push_back(&m_running);
    m_registered = true;
}

CancelRegistration::~CancelRegistration()
{
    (void)finish();
}

bool CancelRegistration::finish()
{
    if (!m_registered)
        return false;
    m_registered = false;
    bool sent = false;
    {
        std::lock_guard lock(m_state->mutex);
        auto &running = m_state->running;
        running.erase(std::remove(running.begin(), running.end(), &m_running), running.end());
        sent = m_running.sent;
    }
    if (m_running.handle)
        PQfreeCancel(m_running.handle);
    m_running.handle = nullptr;
    return sent;
}

} // namespace eventium
