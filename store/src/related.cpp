// Related events: a correlation's events and a causation tree, through the two partial
// indexes of migration 0009.
#include "pg/sql.h"
#include "storeprivate.h"

#include <QHash>

namespace eventium {

namespace {

// The index expressions of migration 0009, word for word (the planner matches them as text):
// an event's correlation id, and its causation id in an event id's canonical form.
QString correlationKey(const QString &e)
{
    return QStringLiteral("coalesce(%1.metadata ->> 'correlationId', %1.metadata ->> "
                          "'$correlationId')")
        .arg(e);
}

QString causationRaw(const QString &e)
{
    return QStringLiteral("coalesce(%1.metadata ->> 'causationId', %1.metadata ->> "
                          "'$causationId')")
        .arg(e);
}

QString causationKey(const QString &e)
{
    return QStringLiteral("lower(btrim(%1, '{}'))").arg(causationRaw(e));
}

// "{1,2,3}" (an int8[] in text form) as numbers.
QList<qint64> int64Array(const QByteArray &text)
{
    QList<qint64> out;
    const QByteArray inner = text.mid(1, text.size() - 2);
    for (const QByteArray &part : inner.split(','))
        if (!part.isEmpty())
            out.append(part.toLongLong());
    return out;
}

Result<Done> checkLimit(int limit)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("limit must be 1 to %1").arg(kMaxLimit));
    return Done {};
}

// (The queries below look up each event's stream and position in LATERAL subqueries with a
// LIMIT: the lists are bounded, so a lookup per event is right, while a plain join lets the
// planner, misled by a correlation's estimated size, hash the whole streams table.)

// Global order, events not yet numbered last (then in the order they were written, which the
// query gave).
void sortByPosition(QList<RecordedEvent> &events)
{
    std::stable_sort(events.begin(), events.end(),
                     [](const RecordedEvent &a, const RecordedEvent &b) {
                         const qint64 pa = a.position.value ? a.position.value
                                                            : std::numeric_limits<qint64>::max();
                         const qint64 pb = b.position.value ? b.position.value
                                                            : std::numeric_limits<qint64>::max();
                         return pa < pb;
                     });
}

} // namespace

Result<CorrelatedEvents> Store::readCorrelated(const QString &correlationId, int limit)
{
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    if (correlationId.isEmpty())
        return invalidInput(QStringLiteral("a correlation id cannot be empty"));
    // The first `limit` + 1 in the order they were written (the index's order, so the scan
    // stops there), then sorted by position here.
    auto r = d->readOn(
        StoreConnection::Read,
        QStringLiteral(
            "SELECT %2, g.position, st.name FROM %1.events e "
            "CROSS JOIN LATERAL (SELECT s.* FROM %1.streams s WHERE s.stream_id = e.stream_id "
            "LIMIT 1) st LEFT JOIN LATERAL (SELECT g.position FROM %1.global_events g "
            "WHERE g.event_row = e.id LIMIT 1) g ON true "
            "WHERE %3 = $1 AND %4"
            "ORDER BY e.id LIMIT $2")
            .arg(d->s, d->eventColumns, correlationKey(QStringLiteral("e")), d->visibleSql),
        {pg::param(correlationId), pg::param(qint64(limit) + 1)},
        QStringLiteral("read correlated events"));
    if (!r)
        return r.error();
    CorrelatedEvents out;
    const int n = r->rows();
    out.more = n > limit;
    for (int row = 0; row < qMin(n, limit); ++row)
        out.events.append(eventFromRow(r.value(), row, nullptr));
    sortByPosition(out.events);
    return out;
}

Result<std::optional<RelatedEvents>> Store::related(const QUuid &eventId, int limit)
{
    if (auto ok = checkLimit(limit); !ok)
        return ok.error();
    auto self = d->readOn(
        StoreConnection::Read,
        QStringLiteral(
            "SELECT %2, g.position, st.name, e.id, %4, %5 "
            "FROM %1.events e "
            "CROSS JOIN LATERAL (SELECT s.* FROM %1.streams s WHERE s.stream_id = e.stream_id "
            "LIMIT 1) st LEFT JOIN LATERAL (SELECT g.position FROM %1.global_events g "
            "WHERE g.event_row = e.id LIMIT 1) g ON true "
            "WHERE e.event_id = $1::uuid AND %3")
            .arg(d->s, d->eventColumns, d->visibleSql, correlationKey(QStringLiteral("e")),
                 causationRaw(QStringLiteral("e"))),
        {eventId.toString(QUuid::WithoutBraces).toUtf8()}, QStringLiteral("read related events"));
    if (!self)
        return self.error();
    if (self->rows() == 0)
        return std::optional<RelatedEvents>();
    RelatedEvents out;
    const qint64 rowId = self->int64(0, 9);
    out.correlationId = self->isNull(0, 10) ? QString() : self->string(0, 10);
    out.causationId = self->isNull(0, 11) ? QString() : self->string(0, 11);

    if (!out.correlationId.isEmpty()) {
        auto correlated = readCorrelated(out.correlationId, limit);
        if (!correlated)
            return correlated.error();
        out.correlated = std::move(correlated->events);
        out.moreCorrelated = correlated->more;
    }

    // Up from the event to its root through the event id index (a causation id that is not
    // an event id ends the walk), then down from the root through the causation index,
    // breadth first, stopping after `limit` + 1 nodes (k numbers them in that order: the
    // first `limit` are those nearest the root); the paths (row ids from the root) keep both
    // walks out of cycles, give the depth-first order and each node's causes. (The children
    // are looked up in a LATERAL subquery with a LIMIT: joined directly, the planner expects
    // a small work table to meet many rows and hashes the whole table instead.)
    const QString uuidPattern
        = QStringLiteral("'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'");
    const QString sql
        = QStringLiteral(
              "WITH RECURSIVE up(id, cause, path) AS ("
              " SELECT e.id, %4, ARRAY[e.id] FROM %1.events e WHERE e.id = $1::int8"
              " UNION ALL"
              " SELECT p.id, %5, up.path || p.id FROM up JOIN %1.events p ON p.event_id = "
              "CASE WHEN up.cause ~ %6 THEN up.cause::uuid END"
              " WHERE p.id <> ALL (up.path)"
              "), root AS (SELECT id FROM up ORDER BY cardinality(path) DESC LIMIT 1),"
              " down(id, event_id, path) AS ("
              " SELECT e.id, e.event_id, ARRAY[e.id] FROM %1.events e JOIN root ON e.id = root.id"
              " UNION ALL"
              " SELECT c.id, c.event_id, d.path || c.id FROM down d CROSS JOIN LATERAL ("
              "SELECT c.id, c.event_id FROM %1.events c"
              " WHERE %7 = d.event_id::text AND %8 IS NOT NULL AND c.id <> ALL (d.path)"
              " ORDER BY c.id LIMIT $2::int8 + 1) c"
              "), tree AS (SELECT w.*, row_number() OVER () AS k"
              " FROM (SELECT * FROM down LIMIT $2::int8 + 1) w) "
              "SELECT %2, g.position, st.name, t.id, t.path, t.k, %3 "
              "FROM tree t CROSS JOIN LATERAL (SELECT * FROM %1.events e WHERE e.id = t.id LIMIT "
              "1) e "
              "CROSS JOIN LATERAL (SELECT s.* FROM %1.streams s WHERE s.stream_id = e.stream_id "
              "LIMIT 1) st LEFT JOIN LATERAL (SELECT g.position FROM %1.global_events g "
              "WHERE g.event_row = e.id LIMIT 1) g ON true "
              "ORDER BY t.path")
              .arg(d->s, d->eventColumns, d->visibleSql, causationKey(QStringLiteral("e")),
                   causationKey(QStringLiteral("p")), uuidPattern,
                   causationKey(QStringLiteral("c")), causationRaw(QStringLiteral("c")));
    // Without JIT: the planner cannot know how small a causation tree is (it guesses ten
    // children a level), so the statement's estimated cost passes jit_above_cost and
    // compiling it took seconds on a big store, against milliseconds to run it.
    // A read-only transaction whose setting is LOCAL: a hot standby runs it.
    auto readTree = [&]() -> Result<pg::Rows> {
        auto connection = d->connect(StoreConnection::Read);
        if (!connection)
            return connection.error();
        pg::Connection &c = connection.value();
        pg::Transaction tx(c);
        if (auto r = tx.begin(); !r)
            return r.error();
        if (auto r = c.exec(QStringLiteral("SELECT set_config('jit', 'off', true)"), {},
                            QStringLiteral("read causation tree"));
            !r)
            return r.error();
        auto rows = c.exec(sql, {pg::param(rowId), pg::param(qint64(limit))},
                           QStringLiteral("read causation tree"));
        if (!rows)
            return rows.error();
        if (auto r = tx.commit(); !r)
            return r.error();
        return rows;
    };
    auto tree = readTree();
    pg::againIfSessionChanged(tree, readTree);
    if (!tree)
        return tree.error();
    // The nodes within the limit that readers see, each decoded once, with its path; then
    // each one's cause and depth among them.
    QHash<qint64, QUuid> shown; // row id -> event id
    QList<QList<qint64>> paths;
    for (int row = 0; row < tree->rows(); ++row) {
        if (tree->int64(row, 11) > limit) {
            out.moreCausation = true;
            continue;
        }
        if (*tree->text(row, 12) != 't')
            continue;
        CausationNode node;
        node.event = eventFromRow(tree.value(), row, nullptr);
        shown.insert(tree->int64(row, 9), node.event.id);
        paths.append(int64Array(tree->bytes(row, 10)));
        out.causation.append(node);
    }
    for (qsizetype k = 0; k < out.causation.size(); ++k) {
        CausationNode &node = out.causation[k];
        const QList<qint64> &path = paths.at(k);
        for (qsizetype i = path.size() - 2; i >= 0; --i) {
            if (shown.contains(path.at(i))) {
                if (node.parent.isNull())
                    node.parent = shown.value(path.at(i));
                ++node.depth;
            }
        }
    }
    return std::optional<RelatedEvents>(std::move(out));
}

} // namespace eventium
