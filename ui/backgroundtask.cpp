#include "backgroundtask.h"

#include "threadhandover.h"

#include <QCoreApplication>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace eventium::ui::detail {

namespace {

struct Running
{
    std::mutex mutex;
    std::condition_variable idle;
    int count = 0;
};

// Never destroyed: a task may finish during static destruction's neighbourhood.
Running &running()
{
    static auto *state = new Running;
    return *state;
}

void waitForBackgroundThreads()
{
    Running &r = running();
    std::unique_lock lock(r.mutex);
    r.idle.wait(lock, [&r] { return r.count == 0; });
}

} // namespace

void startBackgroundThread(std::function<void()> task)
{
    static const bool waitsAtExit = [] {
        qAddPostRoutine(waitForBackgroundThreads);
        return true;
    }();
    (void)waitsAtExit;
    Running &r = running();
    {
        std::lock_guard lock(r.mutex);
        ++r.count;
    }
    std::thread([task = std::move(task)]() mutable {
        task();
        task = nullptr; // its captures go before the application may
        Running &r = running();
        {
            std::lock_guard lock(r.mutex);
            --r.count;
        }
        r.idle.notify_all();
    }).detach();
}

void postToUiThread(std::function<void()> deliver)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app)
        return;
    eventium::detail::emitAcrossThreads(
        [&] { QMetaObject::invokeMethod(app, std::move(deliver), Qt::QueuedConnection); });
}

} // namespace eventium::ui::detail
