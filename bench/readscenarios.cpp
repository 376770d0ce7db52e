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

// Times reading every page and appends events per second to the round's samples; `expected`
// events must come.
bool readAll(const Round &round, const NextPage &nextPage, qint64 expected, QString *error)
{
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
        round.context.readData().events(), error);
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
        round.context.readData().events(), error);
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

namespace {

const QString filteredType = QStringLiteral("OrderShipped");
const QString filteredPrefix = QStringLiteral("order-1");

QString filteredStream(const BenchContext &context)
{
    return Workload::readStreamName(context.readData().streams() / 2);
}

// How many events of the read data set the filter lets through.
qint64 filteredCount(const BenchContext &context, ReadScenarios::Filter filter)
{
    const ReadDataSet &data = context.readData();
    switch (filter) {
    case ReadScenarios::Filter::Type: {
        qint64 n = 0;
        for (qint64 i = 0; i < data.events(); ++i)
            n += Workload::eventType(i) == filteredType ? 1 : 0;
        return n;
    }
    case ReadScenarios::Filter::Prefix: {
        qint64 n = 0;
        for (int s = 0; s < data.streams(); ++s)
            n += Workload::readStreamName(s).startsWith(filteredPrefix) ? 1 : 0;
        return n * context.config().streamLength;
    }
    case ReadScenarios::Filter::Stream:
        return context.config().streamLength;
    }
    return 0;
}

} // namespace

Scenario::Measure ReadScenarios::filteredOurs(Filter filter)
{
    return [filter](const Round &round, QString *error) {
        eventium::Store &store = round.context.readData().store();
        const int pageSize = round.context.config().readPage;
        eventium::GlobalFilter f;
        switch (filter) {
        case Filter::Type:
            f.types = {filteredType};
            break;
        case Filter::Prefix:
            f.streamPrefix = filteredPrefix;
            break;
        case Filter::Stream:
            f.stream = filteredStream(round.context);
            break;
        }
        eventium::GlobalPosition from(1);
        return readAll(
            round,
            [&](QList<eventium::RecordedEvent> *events, bool *last, QString *err) {
                auto page = store.readAll(from, pageSize, f);
                if (!page) {
                    *err = page.error().toString();
                    return false;
                }
                *events = page->events;
                // A filtered page may hold fewer events than asked, or none, before the end.
                *last = page->next.value > page->head.value;
                from = page->next;
                return true;
            },
            filteredCount(round.context, filter), error);
    };
}

Scenario::Measure ReadScenarios::filteredLibpq(Filter filter)
{
    return [filter](const Round &round, QString *error) {
        const int pageSize = round.context.config().readPage;
        PgConnection conn(round.context.conninfo());
        const char *sql = filter == Filter::Type
            ? "SELECT %1 FROM %2.events_read WHERE type = $3 AND seq >= $1 ORDER BY seq LIMIT $2"
            : filter == Filter::Prefix ? "SELECT %1 FROM %2.events_read WHERE starts_with(stream, "
                                         "$3) AND seq >= $1 ORDER BY seq LIMIT $2"
                                       : "SELECT %1 FROM %2.events_read WHERE stream = $3 AND seq "
                                         ">= $1 ORDER BY seq LIMIT $2";
        if (!prepareRead(conn, round, "page", sql, error))
            return false;
        const QByteArray limit = QByteArray::number(pageSize);
        const QByteArray value = (filter == Filter::Type         ? filteredType
                                      : filter == Filter::Prefix ? filteredPrefix
                                                                 : filteredStream(round.context))
                                     .toUtf8();
        qint64 from = 1;
        return readAll(
            round,
            [&](QList<eventium::RecordedEvent> *events, bool *last, QString *err) {
                eventium::pg::Rows r
                    = conn.execPrepared("page", {QByteArray::number(from), limit, value});
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
            filteredCount(round.context, filter), error);
    };
}

QList<ScenarioResult> ReadScenarios::summarizeFiltered(const BenchContext &context,
                                                       const Scenario &scenario,
                                                       const Samples &samples)
{
    ScenarioResult result = samples.medians(scenario.name, scenario.unit);
    const QString what = scenario.name == QLatin1String("read_filtered_type")
        ? QStringLiteral("type %1").arg(filteredType)
        : scenario.name == QLatin1String("read_filtered_prefix")
        ? QStringLiteral("prefix %1").arg(filteredPrefix)
        : QStringLiteral("stream %1").arg(filteredStream(context));
    result.note
        = QStringLiteral("%1: %2 of %3 events, pages of %4")
              .arg(what)
              .arg(filteredCount(context,
                                 scenario.name == QLatin1String("read_filtered_type") ? Filter::Type
                                     : scenario.name == QLatin1String("read_filtered_prefix")
                                     ? Filter::Prefix
                                     : Filter::Stream))
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
    QStringList medians;
    for (const Variant v : {Variant::Ours, Variant::Raw, Variant::Lock}) {
        const QList<double> values = samples.values(v);
        if (!values.isEmpty())
            medians
                << QStringLiteral("%1 %2 ms").arg(variantName(v)).arg(median(values), 0, 'f', 2);
    }
    return QStringLiteral("read_stream round %1: median so far %2")
        .arg(round)
        .arg(medians.join(QStringLiteral(", ")));
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
