// The life of a stream: delete, truncate, metadata, scavenge (migration 0008).
#include "pg/rows.h"
#include "pg/sql.h"
#include "storeprivate.h"

namespace eventium {

Result<DeleteResult> Store::deleteStream(const StreamName &stream, ExpectedVersion expected,
                                         DeleteMode mode)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (!expected.isValid())
        return invalidInput(QStringLiteral("an expected version cannot be negative"));
    const bool hard = mode == DeleteMode::Hard;
    // One statement; sent again after a lost connection it finds the stream deleted and
    // changes nothing.
    auto r = d->read(
        QStringLiteral("SELECT status, version FROM %1.delete_stream($1, $2, $3)").arg(d->s),
        {stream.value().toUtf8(), pg::param(expected.code()),
         hard ? QByteArray("true") : QByteArray("false")},
        QStringLiteral("delete stream \"%1\"").arg(stream.value()));
    if (!r)
        return r.error();
    DeleteResult result;
    if (r->rows() == 0)
        return result;
    switch (r->int64(0, 0)) {
    case 0:
        result.status = DeleteResult::Status::Deleted;
        break;
    case 1:
        result.status = DeleteResult::Status::WrongExpectedVersion;
        break;
    case 2:
        result.status = DeleteResult::Status::AlreadyDeleted;
        break;
    default:
        result.status = DeleteResult::Status::NotFound;
        break;
    }
    result.version = StreamVersion(r->int64(0, 1));
    return result;
}

Result<std::optional<StreamVersion>> Store::truncate(const StreamName &stream, StreamVersion before)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (before.value < 1)
        return invalidInput(QStringLiteral("truncate before a version of 1 or more"));
    auto r = d->read(
        QStringLiteral("SELECT status, first_visible FROM %1.truncate_stream($1, $2)").arg(d->s),
        {stream.value().toUtf8(), pg::param(before.value)},
        QStringLiteral("truncate stream \"%1\"").arg(stream.value()));
    if (!r)
        return r.error();
    std::optional<StreamVersion> first;
    if (r->rows() > 0 && r->int64(0, 0) == 0)
        first = StreamVersion(r->int64(0, 1));
    return first;
}

Result<bool> Store::setStreamMetadata(const StreamName &stream, const StreamMetadata &metadata)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (metadata.maxCount && *metadata.maxCount < 1)
        return invalidInput(QStringLiteral("a max count is 1 or more"));
    if (metadata.maxAge && metadata.maxAge->count() < 1)
        return invalidInput(QStringLiteral("a max age is 1 second or more"));
    auto r = d->read(QStringLiteral("UPDATE %1.streams SET max_count = $2, "
                                    "max_age = make_interval(secs => $3::int8) "
                                    "WHERE name = $1 AND tombstoned_at IS NULL RETURNING stream_id")
                         .arg(d->s),
                     {stream.value().toUtf8(),
                      metadata.maxCount ? pg::param(*metadata.maxCount) : QByteArray(),
                      metadata.maxAge ? pg::param(qint64(metadata.maxAge->count())) : QByteArray()},
                     QStringLiteral("set metadata of stream \"%1\"").arg(stream.value()));
    if (!r)
        return r.error();
    if (r->rows() > 0)
        return true;
    // No row: no such stream, or one deleted for good.
    if (auto error = d->deletedForGood(stream, QStringLiteral("set metadata of stream"),
                                       StoreConnection::Write))
        return *error;
    return false;
}

Result<ScavengeResult> Store::scavenge(int batchSize, const Cancellation &cancellation)
{
    if (batchSize < 1 || batchSize > kMaxLimit)
        return invalidInput(QStringLiteral("a scavenge batch is between 1 and %1").arg(kMaxLimit));
    ScavengeResult result;
    qint64 after = 0;
    for (;;) {
        // The streams that may have something to remove, by the partial index, in key order.
        auto streams
            = d->read(QStringLiteral("SELECT stream_id FROM %1.streams WHERE stream_id > $1 AND "
                                     "(first_visible > scavenged_below OR max_count IS NOT NULL OR "
                                     "max_age IS NOT NULL) ORDER BY stream_id LIMIT 1000")
                          .arg(d->s),
                      {pg::param(after)}, QStringLiteral("scavenge: streams"), cancellation);
        if (!streams)
            return streams.error();
        if (streams->rows() == 0)
            return result;
        for (int row = 0; row < streams->rows(); ++row) {
            const qint64 id = streams->int64(row, 0);
            after = id;
            ++result.streams;
            // One batch per statement (its own transaction): an append to the stream waits
            // for one batch at most.
            for (;;) {
                if (cancellation.isCancelled())
                    return StoreError(StoreError::Kind::Cancelled,
                                      QStringLiteral("scavenge: cancelled"));
                auto step
                    = d->read(QStringLiteral("SELECT removed, more FROM %1.scavenge_stream($1, $2)")
                                  .arg(d->s),
                              {pg::param(id), pg::param(batchSize)}, QStringLiteral("scavenge"),
                              cancellation);
                if (!step)
                    return step.error();
                if (step->rows() == 0)
                    break;
                result.removed += step->int64(0, 0);
                if (!step->boolean(0, 1))
                    break;
            }
        }
    }
}

} // namespace eventium
