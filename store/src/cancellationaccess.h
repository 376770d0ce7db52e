#pragma once

#include "eventium/cancellation.h"

#include <mutex>
#include <vector>

struct pg_cancel;
struct pg_conn;

namespace eventium {

// The shared state of a Cancellation: whether it was cancelled and, for each statement that
// runs for it (a token may serve reads on several threads at once), that statement's libpq
// cancel object (PGcancel). cancel() sends its requests under the mutex, so a cancel object
// is never freed while it is in use.
struct Cancellation::State
{
    struct Running
    {
        pg_cancel *handle = nullptr;
        bool sent = false; // cancel() sent a request while the statement ran
    };
    std::mutex mutex;
    bool cancelled = false;
    std::vector<Running *> running;
};

// A statement that can be cancelled, registered with its Cancellation for as long as it
// runs (pg::Connection::exec): construct it just before the statement is sent, finish() as
// soon as it returns.
class CancelRegistration
{
public:
    CancelRegistration(const Cancellation &cancellation, pg_conn *conn);
    ~CancelRegistration();
    CancelRegistration(const CancelRegistration &) = delete;
    CancelRegistration &operator=(const CancelRegistration &) = delete;

    // The token was cancelled before the statement was sent: send nothing.
    bool refused() const { return m_refused; }
    // Unregisters the statement and frees its cancel object. True when cancel() sent a
    // request while it ran: a request that reaches the server after the statement ended
    // could cancel the connection's next statement, so unless the statement reported the
    // cancel, the connection must not be used again.
    bool finish();

private:
    Cancellation::State *m_state = nullptr;
    Cancellation::State::Running m_running;
    bool m_registered = false;
    bool m_refused = false;
};

// What the data-access layer reads of a Cancellation.
class CancellationAccess
{
public:
    static Cancellation::State *state(const Cancellation &cancellation)
    {
        return cancellation.m_state.get();
    }
};

} // namespace eventium
