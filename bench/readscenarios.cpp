#include "readscenarios.h"

#include "benchcontext.h"
#include "pgconnection.h"
#include "samples.h"
#include "statistics.h"
#include "workload.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <algorithm>

namespace bench {

namespace {

// Takes the next page: false with an error; `last` when there is none after it.
using NextPage
    = std::function<bool(QList<eventium::RecordedEvent> *page, bool *last, QString *error)>;
// Reads one whole stream: the number of its events, or -1 with an error.
using ReadStream = std::function<qsizetype(const QString &stream, QString *error)>;

// A connection with one prepared statement on the variant's table of the read data set: `sql`
// with %1 for the columns and %2 for the schema.
bool prepareRead(PgConnection &conn, const Round &round, const QByteArray &name, const char *sql,
                 QString *error)
{
    if (!conn.isOk()
        || !conn.prepare(name,
                         QString::fromLatin1(sql).arg(Workload::selectColumns(),
                                                      BenchContext::baselineSchema(round.variant)),
                         error)) {
        if (error->isEmpty())
            *error = conn.errorMessage();
        return false;
    }
    return true;
}

// Times reading every page and appends events per second to the round's samples.
bool readAll(const Round &round, const NextPage &nextPage, QString *error)
{
    const qint64 expected = round.context.readData().events();
    qint64 count = 0;
    qint64 bytes = 0;
    QElapsedTimer timer;
    timer.start();
    for (bool last = false; !last;) {
        QList<eventium::RecordedEvent> page;
        if (!nextPage(&page, &last, error))
            return false;
        count += page.size();
        for (const eventium::RecordedEvent &e : page)
            bytes += e.data.size();
    }
    const qint64 ns = timer.nsecsElapsed();
    if (count != expected || bytes == 0) {
        *error = QStringLiteral("read %1 events, expected %2").arg(count).arg(expected);
        return false;
    }
    round.samples->append(double(count) * 1e9 / double(std::max<qint64>(1, ns)));
    return true;
}

// Times each read of a whole stream and appends it to the round's samples.
bool readStreams(const Round &round, const ReadStream &read, QString *error)
{
    const BenchConfig &config = round.context.config();
    const int streams = round.context.readData().streams();
    // The same streams for every variant in a round, different ones across rounds.
    QRandomGenerator pick(quint32(round.number * 7919));
    for (int i = 0; i < config.streamReads; ++i) {
        const QString stream = Workload::readStreamName(int(pick.bounded(quint32(streams))));
        const auto start = Clock::now();
        const qsizetype n = read(stream, error);
        if (n < 0)
            return false;
        round.samples->append(msBetween(start, Clock::now()));
        if (n != config.streamLength) {
            *error = QStringLiteral("read %1 events of %2, expected %3")
                         .arg(n)
                         .arg(stream)
                         .arg(config.streamLength);
            return false;
        }
    }
    return true;
}

} // namespace

bool ReadScenarios::prepare(BenchContext &context, QString *error)
{
    return context.readData().load(context, error);
}

bool ReadScenarios::readGlobalOurs(const Round &round, QString *error)
{
    eventium::Store &store = round.context.readData().store();
    const int pageSize = round.context.config().readPage;
    eventium::GlobalPosition from(1);
    return readAll(
        round,
        [&](QList<eventium::RecordedEvent> *events, bool *last, QString *err) {
            auto page = store.readAll(from, pageSize);
            if (!page) {
                *err = page.error().toString();
                return false;
            }
            *events = page->events;
            *last = page->next.value > page->head.value || page->events.isEmpty();
            from = page->next;
            return true;
        },
        error);
}

bool ReadScenarios::readGlobalLibpq(const Round &round, QString *error)
{
    const int pageSize = round.context.config().readPage;
    PgConnection conn(round.context.conninfo());
    if (!prepareRead(conn, round, "page",
                     "SELECT %1 FROM %2.events_read WHERE seq >= $1 ORDER BY seq LIMIT $2", error))
        return false;
    const QByteArray limit = QByteArray::number(pageSize);
    qint64 from = 1;
    return readAll(
        round,
        [&](QList<eventium::RecordedEvent> *events, bool *last, QString *err) {
            eventium::pg::Rows r = conn.execPrepared("page", {QByteArray::number(from), limit});
            if (!r.ok()) {
                *err = PgConnection::errorText(r);
                return false;
            }
            *events = Workload::toRecorded(r);
            *last = events->size() < pageSize;
            if (!*last)
                from = events->last().position.value + 1;
            return true;
        },
        error);
}

QList<ScenarioResult> ReadScenarios::summarizeGlobal(const BenchContext &context,
                                                     const Scenario &scenario,
                                                     const Samples &samples)
{
    ScenarioResult result = samples.medians(scenario.name, scenario.unit);
    result.note = QStringLiteral("%1 events, pages of %2")
                      .arg(context.readData().events())
                      .arg(context.config().readPage);
    return {result};
}

bool ReadScenarios::readStreamOurs(const Round &round, QString *error)
{
    eventium::Store &store = round.context.readData().store();
    const int length = round.context.config().streamLength;
    return readStreams(
        round,
        [&](const QString &stream, QString *err) -> qsizetype {
            auto events = store.readStream(eventium::StreamName(stream), eventium::StreamVersion(1),
                                           eventium::Direction::Forward, length);
            if (!events) {
                *err = events.error().toString();
                return -1;
            }
            return events->size();
        },
        error);
}

bool ReadScenarios::readStreamLibpq(const Round &round, QString *error)
{
    const int length = round.context.config().streamLength;
    PgConnection conn(round.context.conninfo());
    if (!prepareRead(conn, round, "stream",
                     "SELECT %1 FROM %2.events_read WHERE stream = $1 AND version >= $2 ORDER BY "
                     "version LIMIT $3",
                     error))
        return false;
    return readStreams(
        round,
        [&](const QString &stream, QString *err) -> qsizetype {
            eventium::pg::Rows r = conn.execPrepared(
                "stream", {stream.toUtf8(), QByteArrayLiteral("1"), QByteArray::number(length)});
            if (!r.ok()) {
                *err = PgConnection::errorText(r);
                return -1;
            }
            return Workload::toRecorded(r).size();
        },
        error);
}

QString ReadScenarios::streamProgress(int round, const Samples &samples)
{
    return QStringLiteral("read_stream round %1: median so far ours %2 ms, raw %3 ms, lock %4 ms")
        .arg(round)
        .arg(median(samples.values(Variant::Ours)), 0, 'f', 2)
        .arg(median(samples.values(Variant::Raw)), 0, 'f', 2)
        .arg(median(samples.values(Variant::Lock)), 0, 'f', 2);
}

QList<ScenarioResult> ReadScenarios::summarizeStream(const BenchContext &context,
                                                     const Scenario &scenario,
                                                     const Samples &samples)
{
    ScenarioResult result = samples.medians(scenario.name, scenario.unit);
    result.note = QStringLiteral("%1-event stream of %2 events; p99 ours %3 ms, raw %4 ms")
                      .arg(context.config().streamLength)
                      .arg(context.readData().events())
                      .arg(percentile(samples.values(Variant::Ours), 99), 0, 'f', 2)
                      .arg(percentile(samples.values(Variant::Raw), 99), 0, 'f', 2);
    return {result};
}

} // namespace bench
