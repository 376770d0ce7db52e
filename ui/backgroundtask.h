#pragma once

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace eventium::ui {

namespace detail {
// Runs `task` on a thread of its own. The application waits for running tasks when it quits
// (in QCoreApplication's destructor), so a task never outlives it.
void startBackgroundThread(std::function<void()> task);
// Queues `deliver` to run on the UI thread (the application object's).
void postToUiThread(std::function<void()> deliver);
} // namespace detail

// Runs work() off the UI thread and then done(result) on the UI thread, unless `context` was
// destroyed meanwhile (its result is then dropped). For the browser's CPU-bound work:
// formatting and parsing big JSON, diffs.
//
// Not QtConcurrent: QThreadPool's bookkeeping of its threads happens inside libQt6Core under
// locks ThreadSanitizer cannot see, which TSan reported as races no suppression could name.
// Here the thread's start is a pthread_create of ours and the result's way back takes the
// store's queued-signal handover (threadhandover.h), both visible to TSan, so the work and
// its hand-over stay fully checked.
template<typename Work, typename Done> void runInBackground(QObject *context, Work work, Done done)
{
    using Result = std::invoke_result_t<Work &>;
    // The QPointer is made, read and destroyed on the UI thread only (Qt updates its weak
    // reference count with atomics TSan cannot see): the worker moves it on untouched.
    auto guard = std::make_shared<QPointer<QObject>>(context);
    detail::startBackgroundThread(
        [guard = std::move(guard), work = std::move(work), done = std::move(done)]() mutable {
            auto result = std::make_shared<Result>(work());
            detail::postToUiThread(
                [guard = std::move(guard), done = std::move(done), result]() mutable {
                    if (*guard)
                        done(std::move(*result));
                });
        });
}

} // namespace eventium::ui
