#include "globalorder.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace eventium::test {

namespace {

QString quoted(const QString &schema)
{
    QString s = schema;
    s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

bool run(QSqlQuery &q, const QString &sql, QString *error)
{
    if (q.exec(sql) && q.next())
        return true;
    if (error)
        *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
    return false;
}

} // namespace

GlobalOrderReport checkGlobalOrder(QSqlDatabase db, const QString &schema, QString *error)
{
    GlobalOrderReport r;
    const QString s = quoted(schema);
    QSqlQuery q(db);
    if (!run(q, QStringLiteral("SELECT count(*) FROM %1.events").arg(s), error))
        return r;
    r.events = q.value(0).toLongLong();
    if (!run(q,
             QStringLiteral("SELECT count(*), coalesce(min(position), 0), coalesce(max(position), "
                            "0), count(DISTINCT position), count(DISTINCT event_row) FROM "
                            "%1.global_events")
                 .arg(s),
             error))
        return r;
    r.numbered = q.value(0).toLongLong();
    r.minPosition = q.value(1).toLongLong();
    r.maxPosition = q.value(2).toLongLong();
    r.distinctPositions = q.value(3).toLongLong();
    r.distinctRows = q.value(4).toLongLong();
    if (!run(q,
             QStringLiteral("SELECT count(*) FROM %1.events e LEFT JOIN %1.global_events g ON "
                            "g.event_row = e.id WHERE g.position IS NULL")
                 .arg(s),
             error))
        return r;
    r.unnumbered = q.value(0).toLongLong();
    if (!run(q, QStringLiteral("SELECT last_position FROM %1.sequencer").arg(s), error))
        return r;
    r.sequencerHead = q.value(0).toLongLong();
    if (!run(q,
             QStringLiteral("SELECT count(*) FROM (SELECT s.stream_id FROM %1.streams s LEFT JOIN "
                            "%1.events e ON e.stream_id = s.stream_id GROUP BY s.stream_id, "
                            "s.version HAVING count(e.id) <> s.version OR min(e.version) <> 1 "
                            "OR max(e.version) <> s.version) x")
                 .arg(s),
             error))
        return r;
    r.streamsWithVersionGaps = q.value(0).toLongLong();
    // Each event against the highest version of its stream before it, and against its
    // immediate predecessor of the same stream, in position order.
    const QString ordered
        = QStringLiteral("SELECT g.position, e.stream_id, e.version, "
                         "max(e.version) OVER (PARTITION BY e.stream_id ORDER BY g.position "
                         "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS highest_before, "
                         "lag(e.version) OVER (PARTITION BY e.stream_id ORDER BY g.position) "
                         "AS previous FROM %1.global_events g JOIN %1.events e ON e.id = "
                         "g.event_row")
              .arg(s);
    if (!run(q,
             QStringLiteral("SELECT count(*) FILTER (WHERE version < highest_before), count(*) "
                            "FILTER (WHERE previous IS NOT NULL AND version <> previous + 1) "
                            "FROM (%1) x")
                 .arg(ordered),
             error))
        return r;
    r.inversions = q.value(0).toLongLong();
    r.outOfStep = q.value(1).toLongLong();
    if (r.inversions > 0) {
        if (!run(q,
                 QStringLiteral("SELECT x.position, st.name, x.version, x.highest_before FROM "
                                "(%1) x JOIN %2.streams st ON st.stream_id = x.stream_id WHERE "
                                "x.version < x.highest_before ORDER BY x.position LIMIT 1")
                     .arg(ordered, s),
                 error))
            return r;
        r.firstInversion = QStringLiteral("position %1: stream %2 version %3 after version %4")
                               .arg(q.value(0).toLongLong())
                               .arg(q.value(1).toString())
                               .arg(q.value(2).toLongLong())
                               .arg(q.value(3).toLongLong());
    }
    return r;
}

QString GlobalOrderReport::problems(qint64 expected) const
{
    QStringList out;
    if (expected >= 0 && events != expected)
        out << QStringLiteral("%1 events stored, %2 expected").arg(events).arg(expected);
    if (numbered != events || unnumbered != 0)
        out << QStringLiteral("%1 of %2 events numbered, %3 without a position")
                   .arg(numbered)
                   .arg(events)
                   .arg(unnumbered);
    if (numbered > 0 && (minPosition != 1 || maxPosition != numbered))
        out << QStringLiteral("positions %1..%2 for %3 events (not dense)")
                   .arg(minPosition)
                   .arg(maxPosition)
                   .arg(numbered);
    if (distinctPositions != numbered || distinctRows != numbered)
        out << QStringLiteral("%1 positions, %2 distinct positions, %3 distinct events")
                   .arg(numbered)
                   .arg(distinctPositions)
                   .arg(distinctRows);
    if (sequencerHead != maxPosition)
        out << QStringLiteral("sequencer head %1, highest position %2")
                   .arg(sequencerHead)
                   .arg(maxPosition);
    if (streamsWithVersionGaps != 0)
        out << QStringLiteral("%1 streams whose versions are not 1..k").arg(streamsWithVersionGaps);
    if (inversions != 0)
        out << QStringLiteral("%1 events before a lower version of their stream (first at %2)")
                   .arg(inversions)
                   .arg(firstInversion);
    if (outOfStep != 0)
        out << QStringLiteral("%1 events not right after the previous version of their stream")
                   .arg(outOfStep);
    return out.join(QStringLiteral("; "));
}

} // namespace eventium::test
