#pragma once

#include "exitcode.h"

#include <eventium/error.h>

#include <QString>

namespace eventium::cli {

// A failure of a command: the exit code and the one line printed on stderr.
class CliError
{
public:
    CliError() = default;
    CliError(int code, QString message)
        : m_code(code)
        , m_message(std::move(message))
    {
    }

    static CliError usage(const QString &message) { return CliError(ExitUsage, message); }
    static CliError badInput(const QString &message) { return CliError(ExitBadInput, message); }
    // Classifies a store error by its kind: bad input, lost connection or other.
    static CliError fromStore(const StoreError &error);

    int code() const { return m_code; }
    const QString &message() const { return m_message; }
    // Prints "eventium: <message>" on stderr and returns the exit code.
    int report() const;
    // Prints "eventium: <message>" on stderr as one line (line breaks folded).
    static void printLine(const QString &message);

private:
    int m_code = ExitFailure;
    QString m_message;
};

} // namespace eventium::cli
