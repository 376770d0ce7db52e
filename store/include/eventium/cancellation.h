#pragma once

#include <memory>

namespace eventium {

// A way to stop a read that is running. Copies share one state: hand a copy to the read
// (Store::readAll, Store::readAllBackward) and call cancel() on any copy, from any thread.
// While the read's statement runs on the server, cancel() asks the server to cancel it
// (libpq's PQcancel) and the read returns StoreError::Kind::Cancelled; a read given a token
// that is already cancelled returns Cancelled at once, without sending anything. A read that
// finishes before the cancel takes effect returns what it read. Once cancelled, a token stays
// cancelled: use a fresh one for the next read.
//
// A default-constructed Cancellation is a fresh token that can be cancelled. none() is the
// token of a read that cannot be cancelled (the reads' default): cancel() does nothing on it.
class Cancellation
{
public:
    Cancellation();
    static Cancellation none();

    void cancel();
    bool isCancelled() const;
    // False for none().
    bool isCancellable() const { return m_state != nullptr; }

private:
    friend class CancellationAccess;
    friend class CancelRegistration;
    struct State;
    explicit Cancellation(std::shared_ptr<State> state);
    std::shared_ptr<State> m_state;
};

} // namespace eventium
