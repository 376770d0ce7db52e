// Reads: a stream's events, the global sequence, the streams list.
#include "pg/sql.h"
#include "storeprivate.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <limits>

namespace eventium {

RecordedEvent eventFromRow(const pg::Rows &r, int row, const QString *stream)
{
    RecordedEvent e;
    e.version = StreamVersion(r.int64(row, 0));
    e.id = QUuid::fromString(QLatin1StringView(r.text(row, 1), r.length(row, 1)));
    e.type = r.string(row, 2);
    e.data = r.bytes(row, 3);
    if (!r.isNull(row, 4))
        e.metadata = r.bytes(row, 4);
    e.created = QDateTime::fromMSecsSinceEpoch(r.int64(row, 5), Qt::UTC);
    if (!r.isNull(row, 6))
        e.erased = QDateTime::fromMSecsSinceEpoch(r.int64(row, 6), Qt::UTC);
    e.position = GlobalPosition(r.isNull(row, 7) ? 0 : r.int64(row, 7));
    e.stream = stream ? *stream : r.string(row, 8);
    return e;
}

namespace {

// Columns of Private::streamColumns: name, version, created, updated (ms), recency key,
// first visible version, max count, max age (s), deleted (ms), tombstoned.
StreamInfo streamFromRow(const pg::Rows &r, int row)
{
    StreamInfo s;
    s.name = r.string(row, 0);
    s.version = StreamVersion(r.int64(row, 1));
    s.created = QDateTime::fromMSecsSinceEpoch(r.int64(row, 2), Qt::UTC);
    s.updated = QDateTime::fromMSecsSinceEpoch(r.int64(row, 3), Qt::UTC);
    s.recency = r.int64(row, 4);
    s.firstVisible = StreamVersion(r.int64(row, 5));
    if (!r.isNull(row, 6))
        s.metadata.maxCount = r.int64(row, 6);
    if (!r.isNull(row, 7))
        s.metadata.maxAge = std::chrono::seconds(r.int64(row, 7));
    if (!r.isNull(row, 8))
        s.deleted = QDateTime::fromMSecsSinceEpoch(r.int64(row, 8), Qt::UTC);
    s.tombstoned = r.boolean(row, 9);
    return s;
}

// "AND column starts with prefix", as a range the (C-collated) name index serves: names
// from the prefix up to, not including, the first string after every name that starts with
// it (pg::prefixUpperBound); starts_with() keeps the answer exact.
QString prefixCondition(const QString &column, const QString &prefix, pg::Params &params)
{
    params << prefix.toUtf8();
    QString sql
        = QStringLiteral("AND %1 >= $%2 AND starts_with(%1, $%2) ").arg(column).arg(params.size());
    if (const auto upper = pg::prefixUpperBound(prefix)) {
        params << upper->toUtf8();
        sql += QStringLiteral("AND %1 < $%2 ").arg(column).arg(params.size());
    }
    return sql;
}

// The search conditions of a filter (GlobalFilter), every value a parameter, and the JSON
// path among them (empty when there is none), which only the server can read.
struct SearchConditions
{
    QString sql;
    QByteArray jsonPath;
};

Result<SearchConditions> searchConditions(const GlobalFilter &filter, pg::Params &params)
{
    QString sql;
    QByteArray jsonPath;
    if (!filter.types.isEmpty()) {
        params << pg::textArray(filter.types);
        sql += QStringLiteral("AND e.type = ANY($%1::text[]) ").arg(params.size());
    }
    if (!filter.streamContains.isEmpty()) {
        params << filter.streamContains.toUtf8();
        sql += QStringLiteral("AND strpos(st.name, $%1) > 0 ").arg(params.size());
    }
    if (filter.since.isValid()) {
        params << filter.since.toUTC().toString(Qt::ISODateWithMs).toUtf8();
        sql += QStringLiteral("AND e.created_at >= $%1::timestamptz ").arg(params.size());
    }
    if (filter.until.isValid()) {
        params << filter.until.toUTC().toString(Qt::ISODateWithMs).toUtf8();
        sql += QStringLiteral("AND e.created_at < $%1::timestamptz ").arg(params.size());
    }
    if (!filter.contains.isEmpty()) {
        QJsonParseError error;
        (void)QJsonDocument::fromJson(filter.contains, &error);
        if (error.error != QJsonParseError::NoError)
            return StoreError(StoreError::Kind::InvalidJson,
                              QStringLiteral("the JSON to search for is not valid: %1 at offset %2")
                                  .arg(error.errorString())
                                  .arg(error.offset));
        params << filter.contains;
        sql += QStringLiteral("AND e.data @> $%1::jsonb ").arg(params.size());
    }
    if (!filter.where.isEmpty()) {
        QString why;
        const auto expression = SearchExpression::parse(filter.where, &why);
        if (!expression)
            return invalidInput(QStringLiteral("cannot read the search expression \"%1\": %2")
                                    .arg(filter.where, why));
        params << expression->text;
        if (expression->kind == SearchExpression::Kind::Containment) {
            sql += QStringLiteral("AND e.data @> $%1::jsonb ").arg(params.size());
        } else {
            sql += QStringLiteral("AND e.data @@ $%1::jsonpath ").arg(params.size());
            jsonPath = expression->text;
        }
    }
    if (!filter.text.isEmpty()) {
        params << filter.text.toUtf8();
        sql += QStringLiteral("AND strpos(lower(e.data::text), lower($%1)) > 0 ")
                   .arg(params.size());
    }
    return SearchConditions {sql, jsonPath};
}

// The server reads JSON paths: one it cannot read (a syntax error) is the caller's input.
StoreError pathError(const GlobalFilter &filter, const StoreError &error)
{
    return !filter.where.isEmpty() && error.sqlState() == QLatin1String("42601")
        ? invalidInput(QStringLiteral("not a valid JSON path: %1").arg(error.message()))
        : error;
}

} // namespace

Result<QList<RecordedEvent>> Store::readStream(const StreamName &stream, StreamVersion from,
                                               Direction direction, int limit)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a read limit is between 1 and %1").arg(kMaxLimit));
    if (from.value < 0 && direction == Direction::Forward)
        return invalidInput(QStringLiteral("a version cannot be negative"));
    // Backwards from 0 (a pager that has reached the start) there is nothing; from end(),
    // the newest event.
    const qint64 start = from.value;
    if (direction == Direction::Backward && start <= 0)
        return QList<RecordedEvent> {};
    auto r = d->readOn(StoreConnection::Read,
                       direction == Direction::Forward ? d->readForwardSql : d->readBackwardSql,
                       {stream.value().toUtf8(), pg::param(start), pg::param(limit)},
                       QStringLiteral("read stream \"%1\"").arg(stream.value()));
    if (!r)
        return r.error();
    QList<RecordedEvent> out;
    const int rows = r->rows();
    if (rows == 0) {
        // Nothing to see: a stream deleted for good says so.
        if (auto error
            = d->deletedForGood(stream, QStringLiteral("read stream"), StoreConnection::Read))
            return *error;
        return out;
    }
    out.reserve(rows);
    const QString name = stream.value();
    for (int row = 0; row < rows; ++row)
        out.append(eventFromRow(r.value(), row, &name));
    return out;
}

Result<Done> Store::Private::checkJsonPath(const QByteArray &jsonPath, const GlobalFilter &filter,
                                           const Cancellation &cancellation)
{
    if (jsonPath.isEmpty())
        return Done {};
    auto checked = readOn(StoreConnection::Read, QStringLiteral("SELECT $1::jsonpath"), {jsonPath},
                          QStringLiteral("check a JSON path"), cancellation);
    if (!checked)
        return pathError(filter, checked.error());
    return Done {};
}

Result<StreamSearchPage> Store::searchStream(const StreamName &stream, StreamVersion from,
                                             int limit, const GlobalFilter &filter,
                                             const Cancellation &cancellation)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a read limit is between 1 and %1").arg(kMaxLimit));
    if (from.value < 0)
        return invalidInput(QStringLiteral("a version cannot be negative"));
    if (!filter.stream.isEmpty() || !filter.streamPrefix.isEmpty()
        || !filter.streamContains.isEmpty())
        return invalidInput(
            QStringLiteral("a search in one stream takes no stream name conditions"));
    if (cancellation.isCancelled())
        return StoreError(StoreError::Kind::Cancelled,
                          QStringLiteral("search stream: cancelled before it was sent"));
    // The conditions first, so that a bad one is refused even where there is nothing to read.
    // $1 is the stream, $2 and $3 the window's bounds.
    pg::Params params {QByteArray(), QByteArray(), QByteArray()};
    auto condition = searchConditions(filter, params);
    if (!condition)
        return condition.error();

    const QString what = QStringLiteral("search stream \"%1\"").arg(stream.value());
    auto found = d->readOn(
        StoreConnection::Read,
        QStringLiteral("SELECT stream_id, version, first_visible FROM %1.streams WHERE name = $1")
            .arg(d->s),
        {stream.value().toUtf8()}, what, cancellation);
    if (!found)
        return found.error();
    StreamSearchPage page;
    page.next = StreamVersion(
        qMax<qint64>(qMax<qint64>(1, from.value), found->rows() > 0 ? found->int64(0, 2) : 1));
    if (found->rows() == 0 || page.next.value > found->int64(0, 1)) {
        page.last = StreamVersion(found->rows() == 0 ? 0 : found->int64(0, 1));
        // Nothing to read, but a JSON path the server cannot read is still refused.
        if (auto checked = d->checkJsonPath(condition->jsonPath, filter, cancellation); !checked)
            return checked.error();
        return page;
    }
    const qint64 streamId = found->int64(0, 0);
    page.last = StreamVersion(found->int64(0, 1));
    // A bounded window of versions, read by the (stream_id, version) index.
    const qint64 window = qMax<qint64>(qint64(limit) * 16, 65536);
    const qint64 low = page.next.value;
    const qint64 high = std::min(page.last.value + 1, low + window);
    params[0] = pg::param(streamId);
    params[1] = pg::param(low);
    params[2] = pg::param(high);
    params << pg::param(limit);
    const QString sql
        = QStringLiteral("SELECT %4, g.position "
                         "FROM %1.events e JOIN %1.streams st ON st.stream_id = e.stream_id "
                         "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                         "WHERE e.stream_id = $1 AND e.version >= $2 AND e.version < $3 AND %5 %2"
                         "ORDER BY e.version LIMIT $%3")
              .arg(d->s, condition->sql)
              .arg(params.size())
              .arg(d->eventColumns, d->visibleSql);
    auto r = d->readOn(StoreConnection::Read, sql, params, what, cancellation);
    if (!r)
        return pathError(filter, r.error());
    const QString name = stream.value();
    for (int row = 0; row < r->rows(); ++row)
        page.events.append(eventFromRow(r.value(), row, &name));
    page.next
        = StreamVersion(page.events.size() == limit ? page.events.last().version.value + 1 : high);
    return page;
}

Result<GlobalPage> Store::readAll(GlobalPosition from, int limit, const GlobalFilter &filter,
                                  const Cancellation &cancellation)
{
    return d->readGlobal(from, limit, filter, Direction::Forward, cancellation);
}

Result<GlobalPage> Store::readAllBackward(GlobalPosition from, int limit,
                                          const GlobalFilter &filter,
                                          const Cancellation &cancellation)
{
    return d->readGlobal(from, limit, filter, Direction::Backward, cancellation);
}

Result<bool> Store::Private::selectiveTypes(const QStringList &types,
                                            const Cancellation &cancellation)
{
    auto r = readOn(StoreConnection::Read,
                    QStringLiteral("SELECT count(*) FROM (SELECT 1 FROM %1.events WHERE type = "
                                   "ANY($1::text[]) LIMIT $2) x")
                        .arg(s),
                    {pg::textArray(types), pg::param(kSelectiveEvents + 1)},
                    QStringLiteral("events of the types"), cancellation);
    if (!r)
        return r.error();
    return r->rows() > 0 && r->int64(0, 0) <= kSelectiveEvents;
}

Result<std::optional<QList<qint64>>>
Store::Private::selectiveStreams(const QString &text, bool prefix, const Cancellation &cancellation)
{
    // A pass over the streams table, far smaller than the events (one row per stream); for a
    // prefix, a range of its name index.
    pg::Params params;
    QString sql = QStringLiteral("SELECT stream_id, version FROM %1.streams WHERE ").arg(s);
    if (prefix) {
        sql += QStringLiteral("true ") + prefixCondition(QStringLiteral("name"), text, params);
    } else {
        params << text.toUtf8();
        sql += QStringLiteral("strpos(name, $1) > 0 ");
    }
    params << pg::param(kSelectiveStreams + 1);
    sql += QStringLiteral("LIMIT $%1").arg(params.size());
    auto r = readOn(StoreConnection::Read, sql, params,
                    prefix ? QStringLiteral("streams whose name starts with")
                           : QStringLiteral("streams whose name contains"),
                    cancellation);
    if (!r)
        return r.error();
    std::optional<QList<qint64>> ids;
    if (r->rows() > kSelectiveStreams)
        return ids;
    qint64 events = 0;
    ids.emplace();
    ids->reserve(r->rows());
    for (int row = 0; row < r->rows(); ++row) {
        ids->append(r->int64(row, 0));
        events += r->int64(row, 1);
    }
    if (events > kSelectiveEvents)
        ids.reset();
    return ids;
}

Result<GlobalPage> Store::Private::readGlobal(GlobalPosition from, int limit,
                                              const GlobalFilter &filter, Direction direction,
                                              const Cancellation &cancellation)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a read limit is between 1 and %1").arg(kMaxLimit));
    if (cancellation.isCancelled())
        return StoreError(StoreError::Kind::Cancelled,
                          QStringLiteral("read all: cancelled before it was sent"));
    const bool forward = direction == Direction::Forward;
    if (filter.isEmpty())
        return readSequence(from, limit, direction, cancellation);
    // The filter's conditions first, so that a bad filter is refused even where there is
    // nothing to read. $1 and $2 are the window's bounds, set below.
    // `conditions` on e (events) and st (streams), besides the position window.
    QString conditions;
    pg::Params params {QByteArray(), QByteArray()};
    if (!filter.stream.isEmpty()) {
        if (QString why = StreamName::validate(filter.stream); !why.isEmpty())
            return invalidInput(why);
        params << filter.stream.toUtf8();
        conditions += QStringLiteral("AND st.name = $%1 ").arg(params.size());
    }
    if (!filter.streamPrefix.isEmpty())
        conditions += prefixCondition(QStringLiteral("st.name"), filter.streamPrefix, params);
    auto condition = searchConditions(filter, params);
    if (!condition)
        return condition.error();
    conditions += condition->sql;
    // How the window is read: by position, probing each event (`walk`), or as the planner
    // likes. A prefix that names many streams is read by walking positions: planned freely,
    // it reads every event of those streams to sort a page out of them (seconds for a
    // category of 100,000 streams, whatever the window), where a walk costs a few
    // microseconds a position and stops at `limit` matches.
    bool walk = false;

    auto hq = readOn(StoreConnection::Read, headSql, {}, QStringLiteral("read head"), cancellation);
    if (!hq)
        return hq.error();
    const qint64 head = hq->rows() > 0 ? hq->int64(0, 0) : 0;

    GlobalPage page;
    page.head = GlobalPosition(head);
    // Forwards: positions [low, high) from `from` up; backwards: from `from` (or the head) down.
    const qint64 start
        = forward ? qMax<qint64>(1, from.value) : qBound<qint64>(0, from.value, head);
    page.next = GlobalPosition(start);
    if (forward ? start > head : start < 1) {
        // Nothing to read, but a JSON path the server cannot read is still refused.
        if (auto checked = checkJsonPath(condition->jsonPath, filter, cancellation); !checked)
            return checked.error();
        return page;
    }

    // A filtered read looks at a bounded window of positions, so a rare type cannot make
    // one call scan the whole table; `next` says where to go on.
    const qint64 whole = std::numeric_limits<qint64>::max() / 2;
    qint64 window = filter.isEmpty() ? whole : qMax<qint64>(qint64(limit) * 16, 65536);
    // A stream-name substring that few, small streams match is read through those streams
    // over the whole range: the (stream_id, version) index bounds the work by their events,
    // and one call reaches the head. (Every stream with a numbered event at or before the
    // head read above is visible now.) Only when more than a window is left: one window
    // reaches the head anyway, and a follower at the head reads a few positions a time, far
    // less than a pass over the streams. The name condition stays either way.
    // A prefix (a category, one stream's name) is checked the same way at every call: even a
    // small window is read through the streams when they are few, and walked when not.
    const qint64 left = forward ? head - start + 1 : start;
    if (!filter.stream.isEmpty()) {
        // One stream: through its (stream_id, version) index over the whole range. (A stream
        // created after the head read above has no numbered event in the range.)
        auto id = readOn(StoreConnection::Read,
                         QStringLiteral("SELECT stream_id FROM %1.streams WHERE name = $1").arg(s),
                         {filter.stream.toUtf8()}, QStringLiteral("read all: the stream"),
                         cancellation);
        if (!id)
            return id.error();
        params << pg::param(id->rows() > 0 ? id->int64(0, 0) : qint64(-1));
        conditions += QStringLiteral("AND e.stream_id = $%1 ").arg(params.size());
        window = whole;
    }
    const bool byPrefix = filter.stream.isEmpty() && !filter.streamPrefix.isEmpty()
        && filter.streamContains.isEmpty();
    if (filter.stream.isEmpty()
        && ((!filter.streamContains.isEmpty() && left > window) || byPrefix)) {
        auto streams = byPrefix ? selectiveStreams(filter.streamPrefix, true, cancellation)
                                : selectiveStreams(filter.streamContains, false, cancellation);
        if (!streams)
            return streams.error();
        walk = byPrefix && !streams->has_value();
        if (streams->has_value()) {
            QStringList ids;
            ids.reserve((*streams)->size());
            for (qint64 id : **streams)
                ids << QString::number(id);
            params << (QStringLiteral("{") + ids.join(QLatin1Char(',')) + QStringLiteral("}"))
                          .toUtf8();
            conditions
                += QStringLiteral("AND e.stream_id = ANY($%1::bigint[]) ").arg(params.size());
            window = whole;
        }
    }
    // Types whose events are few are read through the (type, id) index over the whole range
    // (the planner takes that index for them): one call reaches the head or `limit` matches,
    // where windows would walk the whole sequence to find them.
    if (window != whole && !filter.types.isEmpty() && left > window) {
        auto few = selectiveTypes(filter.types, cancellation);
        if (!few)
            return few.error();
        if (*few)
            window = whole;
        else
            walk = true;
    }
    const qint64 low = forward ? start : qMax<qint64>(1, start - window + 1);
    const qint64 high = forward
        ? std::min(head + 1, start + qMin(window, std::numeric_limits<qint64>::max() - start))
        : start + 1;
    params[0] = pg::param(low);
    params[1] = pg::param(high);
    params << pg::param(limit);
    const QString order = QStringLiteral("ORDER BY g.position %1 LIMIT $%2")
                              .arg(forward ? QStringLiteral("ASC") : QStringLiteral("DESC"))
                              .arg(params.size());
    // The walk: positions in order from the index, each event probed by a subquery the
    // planner cannot flatten (its LIMIT), so the read stops at `limit` matches.
    const QString sql = walk
        ? QStringLiteral("SELECT x.* FROM %1.global_events g CROSS JOIN LATERAL (SELECT %2, "
                         "g.position, st.name FROM %1.events e JOIN %1.streams st ON "
                         "st.stream_id = e.stream_id WHERE e.id = g.event_row AND %3%4LIMIT 1) x "
                         "WHERE g.position >= $1 AND g.position < $2 ")
                .arg(s, eventColumns, visibleSql, conditions)
            + order
        : readAllSql + conditions + order;
    auto r = readOn(StoreConnection::Read, sql, params, QStringLiteral("read all"), cancellation);
    if (!r)
        return pathError(filter, r.error());
    const int rows = r->rows();
    page.events.reserve(rows);
    for (int row = 0; row < rows; ++row)
        page.events.append(eventFromRow(r.value(), row, nullptr));
    if (page.events.size() == limit)
        page.next = GlobalPosition(page.events.last().position.value + (forward ? 1 : -1));
    else
        page.next = GlobalPosition(forward ? high : low - 1);
    return page;
}

// One statement in the common case (pageForwardSql, pageBackwardSql: store.cpp says how it
// reads), two when a late transaction spread the page's event rows wide: then its positions
// are read again by probing events_pkey once each. Either way the events of exactly the
// positions of the page, and a planner that sees a range of `limit` positions, never the
// rest of the sequence (a range to the head made it start parallel workers for one page).
// Positions whose events are hidden or scavenged give no row; `next` goes on after the last
// position looked at.
Result<GlobalPage> Store::Private::readSequence(GlobalPosition from, int limit, Direction direction,
                                                const Cancellation &cancellation)
{
    const bool forward = direction == Direction::Forward;
    auto r = readOn(StoreConnection::Read, forward ? pageForwardSql : pageBackwardSql,
                    {pg::param(from.value), pg::param(limit)}, QStringLiteral("read all"),
                    cancellation);
    if (!r)
        return r.error();
    // The trailer: the row without a version.
    const int rows = r->rows();
    int trailer = -1;
    for (int row = rows - 1; row >= 0 && trailer < 0; --row) {
        if (r->isNull(row, 0))
            trailer = row;
    }
    if (trailer < 0)
        return StoreError(StoreError::Kind::Other,
                          QStringLiteral("read all: the page came without its trailer"));
    const bool narrow = qstrcmp(r->text(trailer, 2), "narrow") == 0;
    const qint64 head = r->isNull(trailer, 5) ? 0 : r->int64(trailer, 5);
    const qint64 looked = r->int64(trailer, 6);
    GlobalPage page;
    page.head = GlobalPosition(head);
    if (looked == 0) {
        // Forwards: past the head (the next read starts there); backwards: before position 1.
        page.next = forward ? GlobalPosition(qMax(from.value, head + 1)) : GlobalPosition(0);
        return page;
    }
    const qint64 last = r->int64(trailer, 7);
    if (narrow) {
        page.events.reserve(rows - 1);
        for (int row = 0; row < rows; ++row) {
            if (row != trailer)
                page.events.append(eventFromRow(r.value(), row, nullptr));
        }
        // In the order of their rows, which is the order of their positions but for the few
        // numbered after a later row.
        const auto byPosition = [forward](const RecordedEvent &a, const RecordedEvent &b) {
            return forward ? a.position.value < b.position.value
                           : a.position.value > b.position.value;
        };
        if (!std::is_sorted(page.events.cbegin(), page.events.cend(), byPosition))
            std::sort(page.events.begin(), page.events.end(), byPosition);
    } else {
        // The positions looked at: from `from` (or the head, backwards) to `last`.
        const qint64 low = forward ? qMax<qint64>(1, from.value) : last;
        const qint64 high = forward ? last : qMin(from.value, head);
        auto probed = readOn(StoreConnection::Read,
                             readAllSql
                                 + (forward ? QStringLiteral("ORDER BY g.position")
                                            : QStringLiteral("ORDER BY g.position DESC")),
                             {pg::param(low), pg::param(high + 1)}, QStringLiteral("read all"),
                             cancellation);
        if (!probed)
            return probed.error();
        page.events.reserve(probed->rows());
        for (int row = 0; row < probed->rows(); ++row)
            page.events.append(eventFromRow(probed.value(), row, nullptr));
    }
    if (looked == limit)
        page.next = GlobalPosition(last + (forward ? 1 : -1));
    else
        page.next = forward ? GlobalPosition(head + 1) : GlobalPosition(0);
    return page;
}

Result<std::optional<RecordedEvent>> Store::readEvent(const QUuid &eventId)
{
    auto r
        = d->readOn(StoreConnection::Read,
                    QStringLiteral("SELECT %2, coalesce(g.position, 0), st.name FROM %1.events e "
                                   "JOIN %1.streams st ON st.stream_id = e.stream_id "
                                   "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                                   "WHERE e.event_id = $1::uuid AND %3")
                        .arg(d->s, d->eventColumns, d->visibleSql),
                    {eventId.toString(QUuid::WithoutBraces).toUtf8()}, QStringLiteral("read event"),
                    Cancellation::none());
    if (!r)
        return r.error();
    if (r->rows() == 0)
        return std::optional<RecordedEvent>();
    return std::optional<RecordedEvent>(eventFromRow(r.value(), 0, nullptr));
}

QString firstAtOrAfterEach(const QString &bounds, QString at)
{
    at.replace(QLatin1String("{n}"), QLatin1String("m.mid"));
    return QStringLiteral("WITH RECURSIVE b(k, t, lo, hi, top) AS ("
                          "SELECT w.k, w.t, r.lo, r.hi, r.top FROM (%1) r(lo, hi, top) "
                          "CROSS JOIN unnest($1::timestamptz[]) WITH ORDINALITY w(t, k) "
                          "UNION ALL "
                          "SELECT b.k, b.t, CASE WHEN x.at >= b.t THEN b.lo ELSE x.mid + 1 END, "
                          "CASE WHEN x.at >= b.t THEN x.mid ELSE b.hi END, b.top "
                          "FROM b CROSS JOIN LATERAL (SELECT m.mid, (%2) AS at "
                          "FROM (SELECT (b.lo + b.hi) / 2 AS mid) m) x WHERE b.lo < b.hi) "
                          "SELECT k, lo, top FROM b WHERE lo >= hi ORDER BY k")
        .arg(bounds, at);
}

namespace {

QString timeParam(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

Result<std::optional<GlobalPosition>> Store::positionAt(const QDateTime &time)
{
    if (!time.isValid())
        return invalidInput(QStringLiteral("an invalid time"));
    // Over the numbered positions 1 to the head, as one snapshot sees them.
    static const QString sqlTemplate = firstAtOrAfterEach(
        QString::fromLatin1(kWholeSequenceBounds),
        QStringLiteral("SELECT e.created_at FROM %1.global_events g JOIN %1.events e "
                       "ON e.id = g.event_row WHERE g.position = {n}"));
    auto r
        = d->readOn(StoreConnection::Read, QString(sqlTemplate).replace(QLatin1String("%1"), d->s),
                    {pg::textArray({timeParam(time)})}, QStringLiteral("position at a time"));
    if (!r)
        return r.error();
    std::optional<GlobalPosition> out;
    if (r->rows() > 0 && r->int64(0, 1) < r->int64(0, 2))
        out = GlobalPosition(r->int64(0, 1));
    return out;
}

Result<std::optional<StreamVersion>> Store::versionAt(const StreamName &stream,
                                                      const QDateTime &time)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (!time.isValid())
        return invalidInput(QStringLiteral("an invalid time"));
    // Over the stream's versions 1 to its version; no row when the stream does not exist.
    static const QString sqlTemplate = firstAtOrAfterEach(
        QStringLiteral("SELECT 1::int8, version + 1, version + 1 FROM %1.streams WHERE name = $2"),
        QStringLiteral("SELECT e.created_at FROM %1.events e WHERE e.stream_id = "
                       "(SELECT stream_id FROM %1.streams WHERE name = $2) AND e.version = {n}"));
    auto r
        = d->readOn(StoreConnection::Read, QString(sqlTemplate).replace(QLatin1String("%1"), d->s),
                    {pg::textArray({timeParam(time)}), stream.value().toUtf8()},
                    QStringLiteral("version at a time"));
    if (!r)
        return r.error();
    std::optional<StreamVersion> out;
    if (r->rows() > 0 && r->int64(0, 1) < r->int64(0, 2))
        out = StreamVersion(r->int64(0, 1));
    return out;
}

Result<QStringList> Store::eventTypes(int limit)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a list limit is between 1 and %1").arg(kMaxLimit));
    // Each step asks the (type, id) index for the first type after the last one found.
    auto r
        = d->readOn(StoreConnection::Read,
                    QStringLiteral("WITH RECURSIVE t(type) AS ("
                                   " (SELECT type FROM %1.events ORDER BY type LIMIT 1)"
                                   " UNION ALL"
                                   " SELECT (SELECT e.type FROM %1.events e WHERE e.type > t.type"
                                   " ORDER BY e.type LIMIT 1) FROM t WHERE t.type IS NOT NULL)"
                                   " SELECT type FROM t WHERE type IS NOT NULL LIMIT $1")
                        .arg(d->s),
                    {pg::param(limit)}, QStringLiteral("event types"));
    if (!r)
        return r.error();
    QStringList out;
    for (int row = 0; row < r->rows(); ++row)
        out.append(r->string(row, 0));
    return out;
}

Result<StreamPage> Store::listStreams(const StreamCursor &after, int limit, StreamOrder order,
                                      const QString &prefix)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a list limit is between 1 and %1").arg(kMaxLimit));
    QString sql = QStringLiteral("SELECT %1 FROM %2.streams WHERE deleted_at IS NULL AND ")
                      .arg(d->streamColumns, d->s);
    pg::Params params;
    if (order == StreamOrder::ByName) {
        // '' rather than NULL before the first page (a null QByteArray binds as NULL).
        params << (after.valid ? after.name.toUtf8() : QByteArray(""));
        sql += QStringLiteral("name > $1 ");
    } else {
        params << pg::param(after.valid ? after.recency : std::numeric_limits<qint64>::max());
        sql += QStringLiteral("last_row < $1 ");
    }
    if (!prefix.isEmpty())
        sql += prefixCondition(QStringLiteral("name"), prefix, params);
    params << pg::param(limit + 1);
    sql += order == StreamOrder::ByName
        ? QStringLiteral("ORDER BY name LIMIT $%1").arg(params.size())
        : QStringLiteral("ORDER BY last_row DESC LIMIT $%1").arg(params.size());
    auto r = d->readOn(StoreConnection::Read, sql, params, QStringLiteral("list streams"));
    if (!r)
        return r.error();
    StreamPage page;
    for (int row = 0; row < r->rows(); ++row) {
        if (page.streams.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.streams.append(streamFromRow(r.value(), row));
    }
    if (!page.streams.isEmpty()) {
        page.next.valid = true;
        page.next.name = page.streams.last().name;
        page.next.recency = page.streams.last().recency;
    } else {
        page.next = after;
    }
    return page;
}

Result<std::optional<StreamInfo>> Store::streamInfo(const StreamName &stream)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    auto r = d->readOn(
        StoreConnection::Read,
        QStringLiteral("SELECT %1 FROM %2.streams WHERE name = $1").arg(d->streamColumns, d->s),
        {stream.value().toUtf8()}, QStringLiteral("stream info"));
    if (!r)
        return r.error();
    std::optional<StreamInfo> out;
    if (r->rows() > 0)
        out = streamFromRow(r.value(), 0);
    return out;
}

std::optional<StoreError> Store::Private::deletedForGood(const StreamName &stream,
                                                         const QString &what, StoreConnection on)
{
    auto r = readOn(
        on,
        QStringLiteral("SELECT tombstoned_at IS NOT NULL FROM %1.streams WHERE name = $1").arg(s),
        {stream.value().toUtf8()}, what);
    if (!r)
        return r.error();
    if (r->rows() > 0 && r->boolean(0, 0))
        return StoreError(
            StoreError::Kind::StreamDeleted,
            QStringLiteral("%1 \"%2\": the stream is deleted for good").arg(what, stream.value()));
    return std::nullopt;
}

Result<GlobalPosition> Store::headPosition()
{
    auto r = d->readOn(StoreConnection::Read, d->headSql, {}, QStringLiteral("head position"));
    if (!r)
        return r.error();
    return GlobalPosition(r->rows() > 0 ? r->int64(0, 0) : 0);
}

// The lag is the age of the newest replayed commit only while something received waits to be
// replayed: a standby of an idle primary is not behind however old that commit is.
const QString &replicationSql()
{
    static const QString sql = QStringLiteral(
        "SELECT pg_is_in_recovery(), "
        "CASE WHEN pg_last_wal_receive_lsn() IS NOT NULL "
        "          AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() THEN 0 "
        "     ELSE greatest(0, (extract(epoch FROM clock_timestamp() "
        "                          - pg_last_xact_replay_timestamp()) * 1000)::bigint) END, "
        "coalesce(greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), "
        "                                     pg_last_wal_replay_lsn()))::bigint, 0)");
    return sql;
}

ReplicationStatus replicationFromRow(const pg::Rows &r)
{
    ReplicationStatus status;
    status.standby = r.boolean(0, 0);
    if (status.standby) {
        if (!r.isNull(0, 1))
            status.replayLag = std::chrono::milliseconds(r.int64(0, 1));
        status.replayBytesBehind = r.int64(0, 2);
    }
    return status;
}

Result<ReplicationStatus> Store::replication(StoreConnection of)
{
    auto r = d->readOn(of, replicationSql(), {}, QStringLiteral("replication status"));
    if (!r)
        return r.error();
    return replicationFromRow(r.value());
}

Result<HistoryCheck> Store::checkHistory(const HistoryMark &seen)
{
    static const QString lost = QStringLiteral(
        " (commits were lost, as in a failover to a standby that had not received them)");
    HistoryCheck check;
    const qint64 last = seen.lastPosition.value;
    const QString lastId = seen.lastEventId.toString(QUuid::WithoutBraces);
    if (last > 0) {
        auto event = readEvent(seen.lastEventId);
        if (!event)
            return event.error();
        if (event->has_value() && (*event)->position.value != last) {
            const qint64 now = (*event)->position.value;
            check.outcome = HistoryCheck::Outcome::Rewritten;
            check.explanation
                = QStringLiteral("the server's history is not the one seen: event %1, seen at "
                                 "position %2, %3")
                      .arg(lastId)
                      .arg(last)
                      .arg(now == 0 ? QStringLiteral("is there but not numbered")
                                    : QStringLiteral("is at position %1 now").arg(now))
                + lost;
            return check;
        }
        if (!event->has_value()) {
            // Gone or hidden: hidden events keep their positions (deleted, truncated,
            // scavenged), so only another event at that position tells a change.
            auto at = readAll(seen.lastPosition, 1);
            if (!at)
                return at.error();
            if (!at->events.isEmpty() && at->events.constFirst().position.value == last) {
                check.outcome = HistoryCheck::Outcome::Rewritten;
                check.explanation
                    = QStringLiteral("the server's history is not the one seen: position %1 held "
                                     "event %2 and holds event %3 now")
                          .arg(last)
                          .arg(lastId, at->events.constFirst().id.toString(QUuid::WithoutBraces))
                    + lost;
                return check;
            }
        }
    }
    // Positions are never given back: a primary whose head is behind what was read has lost
    // the events there; a standby may still be replaying up to them.
    const qint64 readTo = std::max(seen.readTo.value, last);
    auto head = headPosition();
    if (!head)
        return head.error();
    if (head->value < readTo) {
        auto role = replication();
        if (!role)
            return role.error();
        if (role->standby) {
            check.outcome = HistoryCheck::Outcome::NotYet;
            return check;
        }
        check.outcome = HistoryCheck::Outcome::Rewritten;
        check.explanation = QStringLiteral("the server's history is not the one seen: positions "
                                           "up to %1 were read and the server's head is %2")
                                .arg(readTo)
                                .arg(head->value)
            + lost;
    }
    return check;
}

} // namespace eventium
