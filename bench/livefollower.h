#pragma once

#include <eventium/follower.h>

#include <QString>

#include <chrono>
#include <thread>

namespace bench {

// Starts `follower` and waits until it is live (caught up and waiting for new events), at
// most 10 s; false with a message when it did not get there.
inline bool startLive(eventium::Follower &follower, QString *error)
{
    follower.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!follower.isLive() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (follower.isLive())
        return true;
    *error = QStringLiteral("the follower did not go live within 10 s");
    return false;
}

} // namespace bench
