#include "eventium/error.h"

namespace eventium {

namespace {

bool looksLikeLostConnection(const QString &text)
{
    static const char *const needles[] = {
        "server closed the connection",
        "no connection to the server",
        "terminating connection",
        "could not send data",
        "could not receive data",
        "connection to server",
        "Connection refused",
        "connection not open",
        "SSL SYSCALL error",
        "EOF detected",
    };
    for (const char *needle : needles) {
        if (text.contains(QLatin1String(needle), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

StoreError StoreError::fromSql(const QSqlError &error, const QString &context)
{
    const QString state = error.nativeErrorCode().trimmed();
    QString text = error.databaseText().trimmed();
    if (text.isEmpty())
        text = error.driverText().trimmed();
    if (!context.isEmpty())
        text = context + QStringLiteral(": ") + text;

    Kind kind = Kind::Other;
    if (state.startsWith(QLatin1String("08")) || state == QLatin1String("57P01")
        || state == QLatin1String("57P02") || state == QLatin1String("57P03")) {
        kind = Kind::ConnectionLost;
    } else if (state == QLatin1String("40001") || state == QLatin1String("40P01")) {
        kind = Kind::Retryable;
    } else if (state == QLatin1String("22P02")
               && text.contains(QLatin1String("json"), Qt::CaseInsensitive)) {
        kind = Kind::InvalidJson;
    } else if (state == QLatin1String("22P05") || state == QLatin1String("22023")
               || state == QLatin1String("22021")) {
        kind = Kind::InvalidInput;
    } else if (state == QLatin1String("54000")) {
        kind = Kind::PayloadTooLarge;
    } else if (state == QLatin1String("23505") && text.contains(QLatin1String("event"))) {
        kind = Kind::DuplicateEventId;
    } else if (state == QLatin1String("57014")) {
        kind = Kind::Timeout;
    } else if (state == QLatin1String("3F000") || state == QLatin1String("42P01")
               || state == QLatin1String("42883")) {
        kind = Kind::Migration;
        text += QStringLiteral(" (is the schema migrated? run migrate)");
    } else if (state.isEmpty()
               && (error.type() == QSqlError::ConnectionError || looksLikeLostConnection(text))) {
        kind = Kind::ConnectionLost;
    }
    return StoreError(kind, text, state);
}

QString StoreError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::InvalidInput:
        return QStringLiteral("invalid input");
    case Kind::InvalidJson:
        return QStringLiteral("invalid JSON");
    case Kind::PayloadTooLarge:
        return QStringLiteral("payload too large");
    case Kind::DuplicateEventId:
        return QStringLiteral("duplicate event id");
    case Kind::ConnectionLost:
        return QStringLiteral("connection lost");
    case Kind::Retryable:
        return QStringLiteral("retryable");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Migration:
        return QStringLiteral("schema");
    case Kind::Embedded:
        return QStringLiteral("embedded server");
    case Kind::Other:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

QString StoreError::toString() const
{
    QString s = kindName(m_kind) + QStringLiteral(": ") + m_message;
    if (!m_sqlState.isEmpty())
        s += QStringLiteral(" [") + m_sqlState + QLatin1Char(']');
    return s;
}

} // namespace eventium
