#include "lifescenarios.h"

#include "benchcontext.h"
#include "pgconnection.h"
#include "samples.h"
#include "statistics.h"
#include "workload.h"

#include <eventium/store.h>

#include <algorithm>

namespace bench {

namespace {

constexpr int loadBatch = 1000;

// The stream a round writes, e.g. "scavenge-r2-ours".
QString roundStream(const Round &round)
{
    return QStringLiteral("%1-r%2-%3")
        .arg(round.scenario)
        .arg(round.number)
        .arg(variantName(round.variant));
}

// Appends `count` events to `stream` through the store in batches; their ids when asked.
bool loadOurs(eventium::Store &store, const eventium::StreamName &stream, int count,
              QList<QUuid> *ids, QString *error)
{
    for (int done = 0; done < count;) {
        const int n = std::min(loadBatch, count - done);
        auto r = store.append(stream, eventium::ExpectedVersion::exact(done),
                              Workload::newEvents(done, n));
        if (!r || r->isConflict()) {
            *error = r ? QStringLiteral("unexpected version conflict on %1").arg(stream.value())
                       : r.error().toString();
            return false;
        }
        if (ids)
            *ids += r->eventIds;
        done += n;
    }
    return true;
}

// Inserts `count` events of `stream` into the raw baseline table in batches.
bool loadRaw(PgConnection &conn, const QString &stream, int count, QString *error)
{
    const QString schema = QLatin1String(BenchContext::rawSchema);
    for (int done = 0; done < count;) {
        const int n = std::min(loadBatch, count - done);
        eventium::pg::Rows r = conn.execParams(
            Workload::insertSql(schema, QStringLiteral("events"), n),
            Workload::insertParams(stream, done + 1, Workload::newEvents(done, n)));
        if (!r.ok()) {
            *error = PgConnection::errorText(r);
            return false;
        }
        done += n;
    }
    return true;
}

bool recordRate(const Round &round, qint64 count, Clock::time_point start, QString *error)
{
    const double seconds = msBetween(start, Clock::now()) / 1000.0;
    if (seconds <= 0) {
        *error = QStringLiteral("no time measured");
        return false;
    }
    round.samples->append(double(count) / seconds);
    return true;
}

} // namespace

Scenario::Measure LifeScenarios::scavengeOurs()
{
    return [](const Round &round, QString *error) {
        const int count = round.context.config().scavengeEvents;
        const eventium::StreamName stream(roundStream(round));
        std::unique_ptr<eventium::Store> store = round.context.makeWriteStore();
        if (!loadOurs(*store, stream, count, nullptr, error))
            return false;
        // Only numbered events are scavenged: number them all first.
        if (auto numbered = store->sequenceNow(); !numbered) {
            *error = numbered.error().toString();
            return false;
        }
        auto cut = store->truncate(stream, eventium::StreamVersion(count + 1));
        if (!cut) {
            *error = cut.error().toString();
            return false;
        }
        const Clock::time_point start = Clock::now();
        auto r = store->scavenge();
        if (!r) {
            *error = r.error().toString();
            return false;
        }
        if (r->removed != count) {
            *error = QStringLiteral("scavenge removed %1 rows, not %2").arg(r->removed).arg(count);
            return false;
        }
        return recordRate(round, count, start, error);
    };
}

Scenario::Measure LifeScenarios::scavengeRaw()
{
    return [](const Round &round, QString *error) {
        const int count = round.context.config().scavengeEvents;
        const QString stream = roundStream(round);
        PgConnection conn(round.context.conninfo());
        if (!conn.isOk()) {
            *error = conn.errorMessage();
            return false;
        }
        if (!loadRaw(conn, stream, count, error))
            return false;
        const Clock::time_point start = Clock::now();
        eventium::pg::Rows r = conn.execParams(
            QStringLiteral("DELETE FROM %1.events WHERE stream = $1 AND version < $2")
                .arg(QLatin1String(BenchContext::rawSchema)),
            {stream.toUtf8(), QByteArray::number(count + 1)});
        if (!r.ok()) {
            *error = PgConnection::errorText(r);
            return false;
        }
        return recordRate(round, count, start, error);
    };
}

Scenario::Measure LifeScenarios::eraseOurs()
{
    return [](const Round &round, QString *error) {
        const int count = round.context.config().eraseEvents;
        const eventium::StreamName stream(roundStream(round));
        std::unique_ptr<eventium::Store> store = round.context.makeWriteStore();
        QList<QUuid> ids;
        if (!loadOurs(*store, stream, count, &ids, error))
            return false;
        const Clock::time_point start = Clock::now();
        for (const QUuid &id : ids) {
            auto r = store->erase(id, QStringLiteral("bench"));
            if (!r || r->status != eventium::EraseResult::Status::Erased) {
                *error = r ? QStringLiteral("event %1 was not erased now").arg(id.toString())
                           : r.error().toString();
                return false;
            }
        }
        return recordRate(round, count, start, error);
    };
}

Scenario::Measure LifeScenarios::eraseRaw()
{
    return [](const Round &round, QString *error) {
        const int count = round.context.config().eraseEvents;
        const QString stream = roundStream(round);
        PgConnection conn(round.context.conninfo());
        if (!conn.isOk()) {
            *error = conn.errorMessage();
            return false;
        }
        if (!loadRaw(conn, stream, count, error)
            || !conn.prepare("erase",
                             QStringLiteral("UPDATE %1.events SET data = '{}', metadata = NULL "
                                            "WHERE stream = $1 AND version = $2")
                                 .arg(QLatin1String(BenchContext::rawSchema)),
                             error))
            return false;
        const QByteArray name = stream.toUtf8();
        const Clock::time_point start = Clock::now();
        for (int v = 1; v <= count; ++v) {
            eventium::pg::Rows r = conn.execPrepared("erase", {name, QByteArray::number(v)});
            if (!r.ok()) {
                *error = PgConnection::errorText(r);
                return false;
            }
        }
        return recordRate(round, count, start, error);
    };
}

} // namespace bench
