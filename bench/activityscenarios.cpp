#include "activityscenarios.h"

#include "benchcontext.h"
#include "pgconnection.h"
#include "readdataset.h"
#include "samples.h"
#include "workload.h"

#include <eventium/store.h>

#include <QElapsedTimer>

namespace bench {

namespace {

// Queries per round: the first of a round warms nothing up that the others do not share.
constexpr int kQueries = 3;

// The stream activity_stream counts: one in the middle of the read data set.
QString streamOf(const BenchContext &context)
{
    return Workload::readStreamName(context.readData().streams() / 2);
}

eventium::ActivityQuery queryOf(const Round &round, bool oneStream)
{
    eventium::ActivityQuery query;
    if (oneStream)
        query.stream = streamOf(round.context);
    return query;
}

// What the store counts for the query: its width and total (untimed, for the naive query).
bool oursAnswer(const Round &round, bool oneStream, eventium::Activity *activity, QString *error)
{
    auto r = round.context.readData().store().activity(queryOf(round, oneStream));
    if (!r) {
        *error = r.error().toString();
        return false;
    }
    *activity = r.value();
    return true;
}

} // namespace

Scenario::Measure ActivityScenarios::ours(bool oneStream)
{
    return [oneStream](const Round &round, QString *error) {
        eventium::Store &store = round.context.readData().store();
        const eventium::ActivityQuery query = queryOf(round, oneStream);
        for (int i = 0; i < kQueries; ++i) {
            QElapsedTimer timer;
            timer.start();
            auto r = store.activity(query);
            const double ms = double(timer.nsecsElapsed()) / 1e6;
            if (!r) {
                *error = r.error().toString();
                return false;
            }
            const qint64 expected = oneStream ? round.context.config().streamLength
                                              : round.context.readData().events();
            if (r->total() != expected) {
                *error = QStringLiteral("activity counted %1 events of %2")
                             .arg(r->total())
                             .arg(expected);
                return false;
            }
            round.samples->append(ms);
        }
        return true;
    };
}

Scenario::Measure ActivityScenarios::naive(bool oneStream)
{
    return [oneStream](const Round &round, QString *error) {
        eventium::Activity activity;
        if (!oursAnswer(round, oneStream, &activity, error))
            return false;
        PgConnection conn(round.context.conninfo());
        if (!conn.isOk()) {
            *error = conn.errorMessage();
            return false;
        }
        // The same buckets, the same tables: every event's time and type, grouped.
        const QString sql
            = QStringLiteral("SELECT floor(extract(epoch FROM e.created_at) / $1)::int8, e.type, "
                             "count(*) FROM %1.events e %2 GROUP BY 1, 2")
                  .arg(QLatin1String(BenchContext::oursReadSchema),
                       oneStream ? QStringLiteral("WHERE e.stream_id = (SELECT stream_id FROM "
                                                  "%1.streams WHERE name = $2)")
                                       .arg(QLatin1String(BenchContext::oursReadSchema))
                                 : QString());
        QList<QByteArray> params {QByteArray::number(activity.bucketSeconds)};
        if (oneStream)
            params << streamOf(round.context).toUtf8();
        for (int i = 0; i < kQueries; ++i) {
            QElapsedTimer timer;
            timer.start();
            const eventium::pg::Rows r = conn.execParams(sql, params);
            const double ms = double(timer.nsecsElapsed()) / 1e6;
            if (!r.ok()) {
                *error = PgConnection::errorText(r);
                return false;
            }
            qint64 total = 0;
            for (int row = 0; row < r.rows(); ++row)
                total += r.int64(row, 2);
            if (total != activity.total()) {
                *error = QStringLiteral("the naive query counted %1 events, ours %2")
                             .arg(total)
                             .arg(activity.total());
                return false;
            }
            round.samples->append(ms);
        }
        return true;
    };
}

QList<ScenarioResult> ActivityScenarios::summarize(const BenchContext &context,
                                                   const Scenario &scenario, const Samples &samples)
{
    ScenarioResult result = samples.medians(scenario.name, scenario.unit);
    const bool oneStream = scenario.name.endsWith(QLatin1String("_stream"));
    result.note = oneStream ? QStringLiteral("one %1-event stream of %2 events; raw: naive GROUP "
                                             "BY over the stream's events")
                                  .arg(context.config().streamLength)
                                  .arg(context.readData().events())
                            : QStringLiteral("%1 events at the automatic width; raw: naive "
                                             "GROUP BY over every event")
                                  .arg(context.readData().events());
    return {result};
}

} // namespace bench
