#include "threadhandover.h"

#if defined(__SANITIZE_THREAD__)

#include <QtCore/qnamespace.h>

#include <mutex>

namespace eventium::detail {

namespace {

// Recursive: a slot connected directly runs inside the emit, and may send events on the
// emitting thread itself.
std::recursive_mutex &handoverMutex()
{
    static std::recursive_mutex mutex;
    return mutex;
}

bool beforeDelivery(void **)
{
    std::lock_guard lock(handoverMutex());
    return false; // not handled: Qt delivers the event as usual
}

// Registered while the library is loaded, before main(): QInternal's callback table has no
// lock, so it must not change while another thread delivers events.
const bool g_registered
    = QInternal::registerCallback(QInternal::EventNotifyCallback, beforeDelivery);

} // namespace

QueuedSignalHandover::QueuedSignalHandover()
{
    handoverMutex().lock();
}

QueuedSignalHandover::~QueuedSignalHandover()
{
    handoverMutex().unlock();
}

} // namespace eventium::detail

#endif
