#pragma once

// ThreadSanitizer and Qt's queued signals.
//
// A signal emitted on one thread and delivered queued on another is ordered by Qt's event
// queue: a QMutex inside libQt6Core, which Qt 6.4 (not built with ThreadSanitizer) takes with
// futexes TSan cannot see. So TSan reports whatever the emitting thread wrote for the signal
// (the events of a batch, the copies of the arguments Qt makes while it posts them) and the
// receiving slot reads as a data race.
//
// In builds with ThreadSanitizer, a QueuedSignalHandover held around such an emit
// (emitAcrossThreads()) locks a process-wide mutex, and a callback Qt runs before it delivers
// any event (QInternal::EventNotifyCallback) locks and unlocks the same mutex. An event posted
// during the emit can only be delivered after it was posted, so its delivery waits for the emit to
// finish and then sees everything the emit did: the ordering Qt's own queue gives, made
// visible to TSan. In every other build the handover is nothing.

namespace eventium::detail {

#if defined(__SANITIZE_THREAD__)
class QueuedSignalHandover
{
public:
    QueuedSignalHandover();
    ~QueuedSignalHandover();
    QueuedSignalHandover(const QueuedSignalHandover &) = delete;
    QueuedSignalHandover &operator=(const QueuedSignalHandover &) = delete;
};
#else
class QueuedSignalHandover
{
};
#endif

// Runs `emitSignal` (a lambda that emits) inside a QueuedSignalHandover.
template<typename Emit> void emitAcrossThreads(Emit &&emitSignal)
{
    [[maybe_unused]] QueuedSignalHandover handover;
    emitSignal();
}

} // namespace eventium::detail
