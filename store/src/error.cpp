#include "eventium/error.h"

namespace eventium {

StoreError StoreError::fromServer(const QString &sqlState, const QString &message,
                                  const QString &constraint, bool connectionLost)
{
    const QString state = sqlState.trimmed();
    Kind kind = Kind::Other;
    if (connectionLost || state.startsWith(QLatin1String("08")) || state == QLatin1String("57P01")
        || state == QLatin1String("57P02") || state == QLatin1String("57P03")) {
        kind = Kind::ConnectionLost;
    } else if (state == QLatin1String("40001") || state == QLatin1String("40P01")) {
        kind = Kind::Retryable;
    } else if (state == QLatin1String("EV003")) {
        kind = Kind::StreamDeleted;
    } else if (state == QLatin1String("EV001") || state == QLatin1String("EV002")
               || (state == QLatin1String("23505")
                   && constraint == QLatin1String("events_event_id_key"))) {
        // EV001: the id is stored in another stream; EV002: a retried batch differs from
        // what is stored; the index: two appends of one id raced.
        kind = Kind::DuplicateEventId;
    } else if (state == QLatin1String("22P02") || state == QLatin1String("22P05")
               || state == QLatin1String("22023") || state == QLatin1String("22021")) {
        kind = Kind::InvalidInput;
    } else if (state == QLatin1String("54000")) {
        kind = Kind::PayloadTooLarge;
    } else if (state == QLatin1String("57014")) {
        kind = Kind::Cancelled;
    }
    return StoreError(kind, message, state);
}

StoreError StoreError::fromSql(const QSqlError &error, const QString &context)
{
    QString text = error.databaseText().trimmed();
    if (text.isEmpty())
        text = error.driverText().trimmed();
    if (!context.isEmpty())
        text = context + QStringLiteral(": ") + text;
    const QString state = error.nativeErrorCode().trimmed();
    return fromServer(state, text, {},
                      state.isEmpty() && error.type() == QSqlError::ConnectionError);
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
    case Kind::StreamDeleted:
        return QStringLiteral("stream deleted");
    case Kind::ConnectionLost:
        return QStringLiteral("connection lost");
    case Kind::Retryable:
        return QStringLiteral("retryable");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::Migration:
        return QStringLiteral("schema");
    case Kind::Embedded:
        return QStringLiteral("embedded server");
    case Kind::HistoryRewritten:
        return QStringLiteral("history rewritten");
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
