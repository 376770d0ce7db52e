// Appends: one stream (append_events() in one round trip) or several in one transaction.
#include "appendencoding.h"
#include "pg/sql.h"
#include "storeprivate.h"

#include <algorithm>
#include <numeric>

namespace eventium {

using appendencoding::assignIds;
using appendencoding::diagnoseBatch;
using appendencoding::encodeBatch;

namespace {

AppendResult readAppendRow(const pg::Rows &r, const QString &stream, const QList<QUuid> &ids)
{
    AppendResult out;
    out.stream = stream;
    const int status = int(r.int64(0, 0));
    const qint64 first = r.int64(0, 1);
    const qint64 last = r.int64(0, 2);
    if (status == 1) {
        out.status = AppendResult::Status::WrongExpectedVersion;
        out.actualVersion = last;
        out.firstVersion = StreamVersion(last < 0 ? 0 : last);
        out.lastVersion = StreamVersion(last < 0 ? 0 : last);
        return out;
    }
    out.status
        = status == 2 ? AppendResult::Status::AlreadyAppended : AppendResult::Status::Appended;
    out.firstVersion = StreamVersion(first);
    out.lastVersion = StreamVersion(last);
    out.actualVersion = last;
    out.eventIds = ids;
    return out;
}

// Two appends of the same batch at the same moment: the loser hits the event id index.
bool racedIdenticalAppend(const StoreError &e)
{
    return e.kind() == StoreError::Kind::DuplicateEventId && e.sqlState() == QLatin1String("23505");
}

} // namespace

QString Store::validateEvent(const NewEvent &event) const
{
    return appendencoding::typeProblem(event.type);
}

Result<AppendResult> Store::append(const StreamName &stream, ExpectedVersion expected,
                                   const QList<NewEvent> &events)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (!expected.isValid())
        return invalidInput(QStringLiteral("an expected version cannot be negative"));
    if (events.isEmpty())
        return invalidInput(QStringLiteral("an append needs at least one event"));
    if (events.size() > d->settings.maxEventsPerAppend)
        return invalidInput(
            QStringLiteral("at most %1 events in one append").arg(d->settings.maxEventsPerAppend));
    const QList<QUuid> ids = assignIds(events);
    auto result = d->appendOnce(stream, expected, events, ids);
    if (!result && result.error().kind() == StoreError::Kind::ConnectionLost
        && d->settings.retryOnConnectionLoss) {
        qCInfo(lcStore)
            << "connection lost during an append; retrying once with the same event ids";
        result = d->appendOnce(stream, expected, events, ids);
    }
    // Sent again, the loser of an identical race finds the winner's events and reports the
    // earlier result.
    if (!result && racedIdenticalAppend(result.error()))
        result = d->appendOnce(stream, expected, events, ids);
    if (result && result->status == AppendResult::Status::Appended && d->sequencer)
        d->sequencer->wake();
    return result;
}

Result<AppendResult> Store::Private::appendOnce(const StreamName &stream, ExpectedVersion expected,
                                                const QList<NewEvent> &events,
                                                const QList<QUuid> &ids)
{
    auto batch = encodeBatch(events, ids, settings.maxEventBytes);
    if (!batch)
        return batch.error();
    auto c = connect();
    if (!c)
        return c.error();
    return execAppend(c.value(), stream, expected, events, batch.value(), ids);
}

Result<AppendResult> Store::Private::execAppend(pg::Connection &c, const StreamName &stream,
                                                ExpectedVersion expected,
                                                const QList<NewEvent> &events,
                                                const QList<QByteArray> &batch,
                                                const QList<QUuid> &ids)
{
    auto r = c.exec(appendSql,
                    {stream.value().toUtf8(), pg::param(expected.code()), batch.at(0), batch.at(1),
                     batch.at(2), batch.at(3)},
                    QStringLiteral("append to \"%1\"").arg(stream.value()));
    if (!r) {
        const StoreError &err = r.error();
        if (err.kind() == StoreError::Kind::InvalidInput)
            return diagnoseBatch(events, err);
        return explain(err);
    }
    if (r->rows() != 1)
        return StoreError(StoreError::Kind::Other,
                          QStringLiteral("append_events returned %1 rows").arg(r->rows()));
    return readAppendRow(r.value(), stream.value(), ids);
}

Result<MultiAppendResult> Store::appendMulti(const QList<StreamAppend> &appends)
{
    if (appends.isEmpty())
        return invalidInput(QStringLiteral("a multi-stream append needs at least one stream"));
    QList<QList<QUuid>> ids;
    for (const StreamAppend &a : appends) {
        if (QString why = StreamName::validate(a.stream.value()); !why.isEmpty())
            return invalidInput(why);
        if (!a.expected.isValid())
            return invalidInput(QStringLiteral("an expected version cannot be negative"));
        if (a.events.isEmpty())
            return invalidInput(QStringLiteral("stream \"%1\": an append needs at least one event")
                                    .arg(a.stream.value()));
        ids.append(assignIds(a.events));
    }
    auto once = [&] { return d->appendMultiOnce(appends, ids); };
    auto result = once();
    if (!result && result.error().kind() == StoreError::Kind::ConnectionLost
        && d->settings.retryOnConnectionLoss)
        result = once();
    pg::againIfSessionChanged(result, once);
    if (result && result->committed && d->sequencer)
        d->sequencer->wake();
    return result;
}

Result<MultiAppendResult> Store::Private::appendMultiOnce(const QList<StreamAppend> &appends,
                                                          const QList<QList<QUuid>> &ids)
{
    QList<QList<QByteArray>> batches;
    for (qsizetype i = 0; i < appends.size(); ++i) {
        auto b = encodeBatch(appends.at(i).events, ids.at(i), settings.maxEventBytes);
        if (!b)
            return StoreError(b.error().kind(),
                              QStringLiteral("stream \"%1\": %2")
                                  .arg(appends.at(i).stream.value(), b.error().message()));
        batches.append(b.value());
    }
    // Streams in name order, so that the row locks of concurrent multi-stream appends are
    // taken in one order too.
    QList<qsizetype> order(appends.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return appends.at(a).stream.value().toUtf8() < appends.at(b).stream.value().toUtf8();
    });

    auto connection = connect();
    if (!connection)
        return connection.error();
    pg::Connection &c = connection.value();
    pg::Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    // All the streams' locks first, before anything assigns this transaction an id, so that
    // the id is larger than those of all earlier appends to these streams (the global order
    // then follows every stream's versions, and this append's events stay together).
    QStringList names;
    for (const StreamAppend &a : appends)
        names.append(a.stream.value());
    if (auto locked
        = c.exec(lockStreamsSql, {pg::textArray(names)}, QStringLiteral("lock streams"));
        !locked)
        return explain(locked.error());
    MultiAppendResult out;
    out.results.resize(appends.size());
    bool conflict = false;
    for (qsizetype i : order) {
        auto row = execAppend(c, appends.at(i).stream, appends.at(i).expected, appends.at(i).events,
                              batches.at(i), ids.at(i));
        if (!row) {
            if (appends.size() == 1)
                return row.error();
            return StoreError(row.error().kind(),
                              QStringLiteral("stream \"%1\": %2")
                                  .arg(appends.at(i).stream.value(), row.error().message()),
                              row.error().sqlState());
        }
        conflict = conflict || row->isConflict();
        out.results[i] = row.value();
    }
    if (conflict) {
        tx.rollback();
        out.committed = false;
        return out;
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    out.committed = true;
    return out;
}

} // namespace eventium
