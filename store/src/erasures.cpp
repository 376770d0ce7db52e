// Erasing an event's data (migration 0006: erase_event(), the erasures table).
#include "storeprivate.h"

#include "pg/rows.h"
#include "pg/sql.h"

namespace eventium {

Result<EraseResult> Store::erase(const QUuid &eventId, const QString &by, const QString &reason)
{
    if (eventId.isNull())
        return invalidInput(QStringLiteral("an event id to erase is needed"));
    for (const QString &text : {by, reason}) {
        for (const QChar c : text) {
            if (isControl(c) && c != QLatin1Char('\n') && c != QLatin1Char('\t'))
                return invalidInput(
                    QStringLiteral("who erases and why cannot hold control characters"));
        }
    }
    // One statement, and a repeated one changes nothing: a lost connection may send it again.
    auto r = d->read(QStringLiteral("SELECT status, %2 FROM %1.erase_event($1::uuid, $2, $3)")
                         .arg(d->s, pg::epochMillis(QStringLiteral("erased_at"))),
                     {eventId.toString(QUuid::WithoutBraces).toUtf8(), by.toUtf8(),
                      reason.isEmpty() ? QByteArray() : reason.toUtf8()},
                     QStringLiteral("erase event %1").arg(eventId.toString(QUuid::WithoutBraces)));
    if (!r)
        return r.error();
    EraseResult result;
    const qint64 status = r->rows() > 0 ? r->int64(0, 0) : 2;
    result.status = status == 0 ? EraseResult::Status::Erased
        : status == 1           ? EraseResult::Status::AlreadyErased
                                : EraseResult::Status::NotFound;
    if (r->rows() > 0 && !r->isNull(0, 1))
        result.erased = QDateTime::fromMSecsSinceEpoch(r->int64(0, 1), Qt::UTC);
    return result;
}

Result<std::optional<Erasure>> Store::erasure(const QUuid &eventId)
{
    auto r = d->readOn(StoreConnection::Read,
                       QStringLiteral("SELECT %2, erased_by, reason FROM %1.erasures "
                                      "WHERE event_id = $1::uuid")
                           .arg(d->s, pg::epochMillis(QStringLiteral("erased_at"))),
                       {eventId.toString(QUuid::WithoutBraces).toUtf8()},
                       QStringLiteral("erasure of %1").arg(eventId.toString(QUuid::WithoutBraces)));
    if (!r)
        return r.error();
    if (r->rows() == 0)
        return std::optional<Erasure> {};
    Erasure e;
    e.erased = QDateTime::fromMSecsSinceEpoch(r->int64(0, 0), Qt::UTC);
    e.by = r->string(0, 1);
    if (!r->isNull(0, 2))
        e.reason = r->string(0, 2);
    return std::optional<Erasure> {e};
}

} // namespace eventium
