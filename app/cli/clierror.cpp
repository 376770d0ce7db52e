#include "clierror.h"

#include <QRegularExpression>

#include <cstdio>

namespace eventium::cli {

CliError CliError::fromStore(const StoreError &error)
{
    int code = ExitFailure;
    switch (error.kind()) {
    case StoreError::Kind::InvalidInput:
    case StoreError::Kind::InvalidJson:
    case StoreError::Kind::PayloadTooLarge:
    case StoreError::Kind::DuplicateEventId:
        code = ExitBadInput;
        break;
    case StoreError::Kind::ConnectionLost:
    case StoreError::Kind::Embedded:
        code = ExitNoConnection;
        break;
    case StoreError::Kind::Retryable:
    case StoreError::Kind::Timeout:
    case StoreError::Kind::Migration:
    case StoreError::Kind::Other:
        break;
    }
    return CliError(code, error.toString());
}

int CliError::report() const
{
    // One line: a multi-line message (a server log excerpt) is folded.
    static const QRegularExpression lineBreaks(QStringLiteral("\\s*\\n\\s*"));
    QString line = m_message.trimmed();
    line.replace(lineBreaks, QStringLiteral("; "));
    std::fprintf(stderr, "eventium: %s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
    return m_code;
}

} // namespace eventium::cli
