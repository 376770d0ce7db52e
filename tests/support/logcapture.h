#pragma once

#include <QString>
#include <QStringList>

namespace eventium::test {

// Captures every log message (the store's categories at debug) while it lives, for tests that
// look through what was logged; warnings and worse still reach the previous handler. One at a
// time.
class LogCapture
{
public:
    LogCapture();
    ~LogCapture();
    LogCapture(const LogCapture &) = delete;
    LogCapture &operator=(const LogCapture &) = delete;

    // What was logged so far (from any thread).
    QStringList lines() const;
};

} // namespace eventium::test
