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
    case StoreError::Kind::StreamDeleted:
        code = ExitStreamDeleted;
        break;
    case StoreError::Kind::HistoryRewritten:
        code = ExitHistoryRewritten;
        break;
    case StoreError::Kind::Retryable:
    case StoreError::Kind::Timeout:
    case StoreError::Kind::Cancelled:
    case StoreError::Kind::Migration:
    case StoreError::Kind::Other:
        break;
    }
    return CliError(code, error.toString());
}

int CliError::report() const
{
    printLine(m_message);
    return m_code;
}

void CliError::printLine(const QString &message)
{
    // A multi-line message (libpq's hints, a server log excerpt) is folded into one line.
    static const QRegularExpression lineBreaks(QStringLiteral("\\s*\\n\\s*"));
    QString line = message.trimmed();
    line.replace(lineBreaks, QStringLiteral("; "));
    std::fprintf(stderr, "eventium: %s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

} // namespace eventium::cli
