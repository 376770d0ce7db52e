#include "benchrunner.h"

#include "lockwriter.h"
#include "ourswriter.h"
#include "pgconnection.h"
#include "rawwriter.h"
#include "receipts.h"
#include "statistics.h"
#include "workload.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <QElapsedTimer>
#include <QHash>
#include <QRandomGenerator>
#include <QTextStream>

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

namespace {

// Runs `writers` tasks in threads for `duration` once all are prepared; events per second.
std::optional<double> runWriters(int writers, std::chrono::milliseconds duration,
                                 const std::function<std::unique_ptr<WriterTask>(int)> &make,
                                 QString *error)
{
    std::atomic<int> ready {0};
    std::atomic<bool> go {false};
    std::atomic<bool> stop {false};
    std::vector<qint64> counts(writers, 0);
    std::vector<QString> errors(writers);
    std::vector<Clock::time_point> finished(writers);
    Clock::time_point start;
    std::vector<std::thread> threads;
    threads.reserve(writers);
    for (int i = 0; i < writers; ++i) {
        threads.emplace_back([&, i] {
            std::unique_ptr<WriterTask> task = make(i);
            const bool ok = task->prepare(&errors[i]);
            ++ready;
            while (!go.load())
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            if (ok) {
                while (!stop.load(std::memory_order_relaxed)) {
                    const qint64 n = task->step(&errors[i]);
                    if (n < 0)
                        break;
                    counts[i] += n;
                }
            }
            finished[i] = Clock::now();
        });
    }
    while (ready.load() < writers)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    start = Clock::now();
    go = true;
    std::this_thread::sleep_for(duration);
    stop = true;
    for (auto &t : threads)
        t.join();
    for (const QString &e : errors) {
        if (!e.isEmpty()) {
            *error = e;
            return std::nullopt;
        }
    }
    const auto end = *std::max_element(finished.begin(), finished.end());
    qint64 total = 0;
    for (qint64 c : counts)
        total += c;
    const double seconds = msBetween(start, end) / 1000.0;
    return seconds > 0 ? std::optional<double>(double(total) / seconds) : std::nullopt;
}

} // namespace

BenchRunner::BenchRunner(BenchConfig config, eventium::ConnectionOptions options)
    : m_config(std::move(config))
    , m_options(std::move(options))
{
}

BenchRunner::~BenchRunner() = default;

QString BenchRunner::conninfo() const
{
    return m_options.toConnInfo();
}

void BenchRunner::progress(const QString &line) const
{
    QTextStream err(stderr);
    err << "  " << line << Qt::endl;
}

bool BenchRunner::setUp(QString *error)
{
    PgConnection admin(conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    const QStringList schemas {QLatin1String(oursWriteSchema), QLatin1String(oursReadSchema),
                               QLatin1String(rawSchema), QLatin1String(lockSchema)};
    for (const QString &s : schemas) {
        if (!admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(s), error))
            return false;
    }
    for (const char *s : {rawSchema, lockSchema}) {
        const QString schema = QLatin1String(s);
        if (!admin.exec(QStringLiteral("CREATE SCHEMA %1").arg(schema), error)
            || !admin.exec(Workload::createTableSql(schema, QStringLiteral("events")), error)
            || !admin.exec(Workload::createTableSql(schema, QStringLiteral("events_read"), false),
                           error))
            return false;
    }
    {
        auto writeStore = makeWriteStore();
        if (auto r = writeStore->migrate(); !r) {
            *error = r.error().toString();
            return false;
        }
    }
    // The read data set is numbered once after loading; no sequencer thread needs to watch it.
    eventium::StoreSettings settings;
    settings.schema = QLatin1String(oursReadSchema);
    settings.runSequencer = false;
    m_readStore = std::make_unique<eventium::Store>(m_options, settings);
    if (auto r = m_readStore->migrate(); !r) {
        *error = r.error().toString();
        return false;
    }
    return true;
}

// A store on the write schema with its sequencer thread, as an application has it. It lives
// only while ours is measured, so that its background work never runs during a baseline.
std::unique_ptr<eventium::Store> BenchRunner::makeWriteStore() const
{
    eventium::StoreSettings settings;
    settings.poolSize = std::max(16, m_config.concurrentWriters + 4);
    settings.schema = QLatin1String(oursWriteSchema);
    return std::make_unique<eventium::Store>(m_options, settings);
}

void BenchRunner::tearDown()
{
    m_readStore.reset();
    PgConnection admin(conninfo());
    if (!admin.isOk())
        return;
    for (const char *s : {oursWriteSchema, oursReadSchema, rawSchema, lockSchema})
        admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(QLatin1String(s)));
}

QList<ScenarioResult> BenchRunner::run(const QString &scenario)
{
    if (scenario == QLatin1String("append_1w"))
        return {runAppend(scenario, 1, 1)};
    if (scenario == QLatin1String("append_8w"))
        return {runAppend(scenario, m_config.concurrentWriters, 1)};
    if (scenario == QLatin1String("append_batch_1w"))
        return {runAppend(scenario, 1, m_config.batchSize)};
    if (scenario == QLatin1String("append_batch_4w"))
        return {runAppend(scenario, m_config.batchWriters, m_config.batchSize)};
    if (scenario == QLatin1String("read_global"))
        return {runReadGlobal()};
    if (scenario == QLatin1String("read_stream"))
        return {runReadStream()};
    if (scenario == QLatin1String("live_latency"))
        return runLiveLatency();
    ScenarioResult r;
    r.name = scenario;
    r.error = QStringLiteral("unknown scenario");
    return {r};
}

// ---------------------------------------------------------------- appends

ScenarioResult BenchRunner::runAppend(const QString &name, int writers, int batch)
{
    ScenarioResult result;
    result.name = name;
    result.unit = QStringLiteral("events/s");
    QHash<Variant, QList<double>> samples;
    for (int round = 1; round <= m_config.rounds; ++round) {
        for (Variant v : {Variant::Ours, Variant::Raw, Variant::Lock}) {
            QString error;
            const QString tag = QStringLiteral("%1-r%2").arg(name).arg(round);
            auto rate = measureAppend(v, tag, writers, batch, &error);
            if (!rate) {
                result.error = QStringLiteral("%1: %2").arg(variantName(v), error);
                return result;
            }
            samples[v].append(*rate);
            progress(QStringLiteral("%1 round %2 %3: %4 events/s")
                         .arg(name)
                         .arg(round)
                         .arg(variantName(v))
                         .arg(*rate, 0, 'f', 0));
        }
    }
    result.ours = median(samples.value(Variant::Ours));
    result.raw = median(samples.value(Variant::Raw));
    result.lock = median(samples.value(Variant::Lock));
    return result;
}

std::optional<double> BenchRunner::measureAppend(Variant variant, const QString &tag, int writers,
                                                 int batch, QString *error)
{
    const QString info = conninfo();
    std::unique_ptr<eventium::Store> ours;
    if (variant == Variant::Ours)
        ours = makeWriteStore();
    eventium::Store *store = ours.get();
    auto make = [&](int i) -> std::unique_ptr<WriterTask> {
        const QString stream = QStringLiteral("%1-%2-w%3").arg(tag, variantName(variant)).arg(i);
        switch (variant) {
        case Variant::Ours:
            return std::make_unique<OursWriter>(store, stream, batch);
        case Variant::Raw:
            return std::make_unique<RawWriter>(info, stream, batch);
        case Variant::Lock:
            break;
        }
        return std::make_unique<LockWriter>(info, stream, batch);
    };
    return runWriters(writers, m_config.appendDuration, make, error);
}

// ---------------------------------------------------------------- reads

bool BenchRunner::loadReadData(QString *error)
{
    if (m_readLoaded)
        return true;
    m_readStreams = int(m_config.readEvents / m_config.streamLength);
    const qint64 total = qint64(m_readStreams) * m_config.streamLength;
    QElapsedTimer timer;
    timer.start();
    // Ours through the API: one append of a whole stream per call.
    for (int s = 0; s < m_readStreams; ++s) {
        auto r = m_readStore->append(
            eventium::StreamName(Workload::readStreamName(s)),
            eventium::ExpectedVersion::noStream(),
            Workload::newEvents(qint64(s) * m_config.streamLength, m_config.streamLength));
        if (!r || r->isConflict()) {
            *error = r ? QStringLiteral("conflict while loading") : r.error().toString();
            return false;
        }
    }
    const qint64 appendMs = timer.restart();
    // Number everything in as few steps as possible (one step is at most maxRows events).
    for (int step = 0; step < 1000; ++step) {
        auto r = m_readStore->sequenceStep(int(std::min<qint64>(total, 1000000)));
        if (!r) {
            *error = r.error().toString();
            return false;
        }
        if (r->numbered == 0 && !r->pending)
            break;
        if (r->numbered <= 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto head = m_readStore->sequenceNow(std::chrono::seconds(300));
    if (!head || head->value < total) {
        *error = head ? QStringLiteral("only %1 of %2 events numbered").arg(head->value).arg(total)
                      : head.error().toString();
        return false;
    }
    const qint64 sequenceMs = timer.restart();
    progress(QStringLiteral("loaded %1 events into ours through Store::append (%2 events/append): "
                            "%3 ms (%4 events/s); numbering finished %5 ms later")
                 .arg(total)
                 .arg(m_config.streamLength)
                 .arg(appendMs)
                 .arg(double(total) * 1000.0 / double(std::max<qint64>(1, appendMs)), 0, 'f', 0)
                 .arg(sequenceMs));
    PgConnection admin(conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    for (const char *s : {rawSchema, lockSchema}) {
        if (!Workload::copyLoad(admin, QLatin1String(s), QStringLiteral("events_read"),
                                m_readStreams, m_config.streamLength, error)
            || !admin.exec(Workload::addKeysSql(QLatin1String(s), QStringLiteral("events_read")),
                           error))
            return false;
    }
    progress(
        QStringLiteral("loaded %1 events into raw and lock by COPY (keys built afterwards): %2 ms")
            .arg(total)
            .arg(timer.restart()));
    if (!admin.exec(QStringLiteral("VACUUM ANALYZE"), error))
        return false;
    progress(QStringLiteral("VACUUM ANALYZE: %1 ms").arg(timer.restart()));
    m_readLoaded = true;
    return true;
}

ScenarioResult BenchRunner::runReadGlobal()
{
    ScenarioResult result;
    result.name = QStringLiteral("read_global");
    result.unit = QStringLiteral("events/s");
    if (!loadReadData(&result.error))
        return result;
    QHash<Variant, QList<double>> samples;
    for (int round = 1; round <= m_config.readRounds; ++round) {
        for (Variant v : {Variant::Ours, Variant::Raw, Variant::Lock}) {
            QString error;
            auto rate = measureReadGlobal(v, &error);
            if (!rate) {
                result.error = QStringLiteral("%1: %2").arg(variantName(v), error);
                return result;
            }
            samples[v].append(*rate);
            progress(QStringLiteral("read_global round %1 %2: %3 events/s")
                         .arg(round)
                         .arg(variantName(v))
                         .arg(*rate, 0, 'f', 0));
        }
    }
    result.ours = median(samples.value(Variant::Ours));
    result.raw = median(samples.value(Variant::Raw));
    result.lock = median(samples.value(Variant::Lock));
    result.note = QStringLiteral("%1 events, pages of %2")
                      .arg(qint64(m_readStreams) * m_config.streamLength)
                      .arg(m_config.readPage);
    return result;
}

std::optional<double> BenchRunner::measureReadGlobal(Variant variant, QString *error)
{
    const qint64 expected = qint64(m_readStreams) * m_config.streamLength;
    qint64 count = 0;
    qint64 bytes = 0;
    QElapsedTimer timer;
    if (variant == Variant::Ours) {
        timer.start();
        eventium::GlobalPosition from(1);
        while (true) {
            auto page = m_readStore->readAll(from, m_config.readPage);
            if (!page) {
                *error = page.error().toString();
                return std::nullopt;
            }
            count += page->events.size();
            for (const eventium::RecordedEvent &e : page->events)
                bytes += e.data.size();
            if (page->next.value > page->head.value || page->events.isEmpty())
                break;
            from = page->next;
        }
    } else {
        PgConnection conn(conninfo());
        const QString schema = QLatin1String(variant == Variant::Raw ? rawSchema : lockSchema);
        if (!conn.isOk()
            || !conn.prepare(
                "page",
                QStringLiteral(
                    "SELECT %1 FROM %2.events_read WHERE seq >= $1 ORDER BY seq LIMIT $2")
                    .arg(Workload::selectColumns(), schema),
                error)) {
            if (error->isEmpty())
                *error = conn.errorMessage();
            return std::nullopt;
        }
        const QByteArray limit = QByteArray::number(m_config.readPage);
        timer.start();
        qint64 from = 1;
        while (true) {
            eventium::pg::Rows r = conn.execPrepared("page", {QByteArray::number(from), limit});
            if (!r.ok()) {
                *error = PgConnection::errorText(r);
                return std::nullopt;
            }
            const QList<eventium::RecordedEvent> page = Workload::toRecorded(r);
            count += page.size();
            for (const eventium::RecordedEvent &e : page)
                bytes += e.data.size();
            if (page.size() < m_config.readPage)
                break;
            from = page.last().position.value + 1;
        }
    }
    const qint64 ns = timer.nsecsElapsed();
    if (count != expected || bytes == 0) {
        *error = QStringLiteral("read %1 events, expected %2").arg(count).arg(expected);
        return std::nullopt;
    }
    return double(count) * 1e9 / double(std::max<qint64>(1, ns));
}

ScenarioResult BenchRunner::runReadStream()
{
    ScenarioResult result;
    result.name = QStringLiteral("read_stream");
    result.unit = QStringLiteral("ms");
    if (!loadReadData(&result.error))
        return result;
    QHash<Variant, QList<double>> samples;
    for (int round = 1; round <= m_config.readRounds; ++round) {
        for (Variant v : {Variant::Ours, Variant::Raw, Variant::Lock}) {
            QString error;
            if (!measureReadStream(v, round, &samples[v], &error)) {
                result.error = QStringLiteral("%1: %2").arg(variantName(v), error);
                return result;
            }
        }
        progress(
            QStringLiteral("read_stream round %1: median so far ours %2 ms, raw %3 ms, lock %4 ms")
                .arg(round)
                .arg(median(samples.value(Variant::Ours)), 0, 'f', 2)
                .arg(median(samples.value(Variant::Raw)), 0, 'f', 2)
                .arg(median(samples.value(Variant::Lock)), 0, 'f', 2));
    }
    result.ours = median(samples.value(Variant::Ours));
    result.raw = median(samples.value(Variant::Raw));
    result.lock = median(samples.value(Variant::Lock));
    result.note = QStringLiteral("%1-event stream of %2 events; p99 ours %3 ms, raw %4 ms")
                      .arg(m_config.streamLength)
                      .arg(qint64(m_readStreams) * m_config.streamLength)
                      .arg(percentile(samples.value(Variant::Ours), 99), 0, 'f', 2)
                      .arg(percentile(samples.value(Variant::Raw), 99), 0, 'f', 2);
    return result;
}

bool BenchRunner::measureReadStream(Variant variant, int round, QList<double> *samples,
                                    QString *error)
{
    // The same streams for every variant in a round, different ones across rounds.
    QRandomGenerator pick(quint32(round * 7919));
    std::unique_ptr<PgConnection> conn;
    if (variant != Variant::Ours) {
        conn = std::make_unique<PgConnection>(conninfo());
        const QString schema = QLatin1String(variant == Variant::Raw ? rawSchema : lockSchema);
        if (!conn->isOk()
            || !conn->prepare("stream",
                              QStringLiteral("SELECT %1 FROM %2.events_read WHERE stream = $1 "
                                             "AND version >= $2 ORDER BY version LIMIT $3")
                                  .arg(Workload::selectColumns(), schema),
                              error)) {
            if (error->isEmpty())
                *error = conn->errorMessage();
            return false;
        }
    }
    for (int i = 0; i < m_config.streamReads; ++i) {
        const QString stream = Workload::readStreamName(int(pick.bounded(quint32(m_readStreams))));
        const auto start = Clock::now();
        qsizetype n = 0;
        if (variant == Variant::Ours) {
            auto events
                = m_readStore->readStream(eventium::StreamName(stream), eventium::StreamVersion(1),
                                          eventium::Direction::Forward, m_config.streamLength);
            if (!events) {
                *error = events.error().toString();
                return false;
            }
            n = events->size();
        } else {
            eventium::pg::Rows r = conn->execPrepared("stream",
                                                      {stream.toUtf8(), QByteArrayLiteral("1"),
                                                       QByteArray::number(m_config.streamLength)});
            if (!r.ok()) {
                *error = PgConnection::errorText(r);
                return false;
            }
            n = Workload::toRecorded(r).size();
        }
        samples->append(msBetween(start, Clock::now()));
        if (n != m_config.streamLength) {
            *error = QStringLiteral("read %1 events of %2, expected %3")
                         .arg(n)
                         .arg(stream)
                         .arg(m_config.streamLength);
            return false;
        }
    }
    return true;
}

// ---------------------------------------------------------------- live latency

namespace {

// Appends at a fixed rate until stopped (the steady background load).
template<typename AppendOnce>
std::thread backgroundWriter(std::atomic<bool> &stop, int ratePerSecond, QString *error,
                             AppendOnce append)
{
    return std::thread([&stop, ratePerSecond, error, append]() mutable {
        const auto interval = std::chrono::microseconds(1000000 / std::max(1, ratePerSecond));
        auto next = Clock::now();
        while (!stop.load()) {
            if (!append(error))
                return;
            next += interval;
            std::this_thread::sleep_until(next);
        }
    });
}

} // namespace

QList<ScenarioResult> BenchRunner::runLiveLatency()
{
    ScenarioResult p50;
    p50.name = QStringLiteral("live_latency_p50");
    p50.unit = QStringLiteral("ms");
    ScenarioResult p99 = p50;
    p99.name = QStringLiteral("live_latency_p99");
    QList<double> ours, raw;
    int oursMissing = 0, rawMissing = 0;
    for (int round = 1; round <= m_config.latencyRounds; ++round) {
        QString error;
        if (!measureLatencyOurs(round, &ours, &oursMissing, &error)) {
            p50.error = p99.error = QStringLiteral("ours: ") + error;
            return {p50, p99};
        }
        if (!measureLatencyRaw(round, &raw, &rawMissing, &error)) {
            p50.error = p99.error = QStringLiteral("raw: ") + error;
            return {p50, p99};
        }
        progress(QStringLiteral("live_latency round %1: ours p50 %2 ms p99 %3 ms (%4 probes), raw "
                                "p50 %5 ms p99 %6 ms (%7 probes)")
                     .arg(round)
                     .arg(percentile(ours, 50), 0, 'f', 2)
                     .arg(percentile(ours, 99), 0, 'f', 2)
                     .arg(ours.size())
                     .arg(percentile(raw, 50), 0, 'f', 2)
                     .arg(percentile(raw, 99), 0, 'f', 2)
                     .arg(raw.size()));
    }
    if (ours.isEmpty() || raw.isEmpty()) {
        p50.error = p99.error = QStringLiteral("no probe was received");
        return {p50, p99};
    }
    p50.ours = percentile(ours, 50);
    p50.raw = percentile(raw, 50);
    p99.ours = percentile(ours, 99);
    p99.raw = percentile(raw, 99);
    const QString note
        = QStringLiteral("%1 probes each, %2 background writers at %3/s; raw = INSERT+pg_notify, "
                         "LISTEN then SELECT; lock n/a (same live path as raw)%4")
              .arg(ours.size())
              .arg(m_config.backgroundWriters)
              .arg(m_config.backgroundRatePerWriter)
              .arg(
                  oursMissing + rawMissing
                      ? QStringLiteral("; missing ours %1, raw %2").arg(oursMissing).arg(rawMissing)
                      : QString());
    p50.note = p99.note = note;
    return {p50, p99};
}

bool BenchRunner::measureLatencyOurs(int round, QList<double> *samples, int *missing,
                                     QString *error)
{
    std::unique_ptr<eventium::Store> ours = makeWriteStore();
    eventium::Store &store = *ours;
    auto head = store.sequenceNow();
    if (!head) {
        *error = head.error().toString();
        return false;
    }
    eventium::Follower::Settings fs;
    fs.schema = QLatin1String(oursWriteSchema);
    fs.from = eventium::GlobalPosition(head->value + 1);
    eventium::Follower follower(m_options, fs);
    Receipts receipts;
    std::mutex followerErrorMutex;
    QString followerError;
    QObject::connect(
        &follower, &eventium::Follower::eventsReceived, &follower,
        [&receipts](const QList<eventium::RecordedEvent> &events) {
            const auto now = Clock::now();
            for (const eventium::RecordedEvent &e : events)
                receipts.note(e.id, now);
        },
        Qt::DirectConnection);
    QObject::connect(
        &follower, &eventium::Follower::errorOccurred, &follower,
        [&followerErrorMutex, &followerError](const eventium::StoreError &e) {
            std::lock_guard lock(followerErrorMutex);
            followerError = e.toString();
        },
        Qt::DirectConnection);
    follower.start();
    const auto liveDeadline = Clock::now() + std::chrono::seconds(10);
    while (!follower.isLive() && Clock::now() < liveDeadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!follower.isLive()) {
        *error = QStringLiteral("the follower did not go live within 10 s");
        return false;
    }

    std::atomic<bool> stop {false};
    std::vector<QString> bgErrors(m_config.backgroundWriters);
    std::vector<std::thread> background;
    for (int i = 0; i < m_config.backgroundWriters; ++i) {
        const eventium::StreamName stream(QStringLiteral("live-r%1-ours-bg%2").arg(round).arg(i));
        auto events = Workload::newEvents(i, 1);
        qint64 version = 0;
        background.push_back(backgroundWriter(
            stop, m_config.backgroundRatePerWriter, &bgErrors[i],
            [&store, stream, events, version](QString *err) mutable {
                auto r = store.append(stream, eventium::ExpectedVersion::exact(version), events);
                if (!r || r->isConflict()) {
                    *err = r ? QStringLiteral("conflict") : r.error().toString();
                    return false;
                }
                ++version;
                return true;
            }));
    }
    const eventium::StreamName probeStream(QStringLiteral("live-r%1-ours-probe").arg(round));
    QList<QPair<QUuid, Clock::time_point>> probes;
    const auto interval = std::chrono::milliseconds(m_config.probeIntervalMs);
    const auto end = Clock::now() + m_config.latencyDuration;
    auto next = Clock::now();
    qint64 version = 0;
    bool ok = true;
    while (Clock::now() < end) {
        QList<eventium::NewEvent> events = Workload::newEvents(version, 1);
        events[0].id = QUuid::createUuid();
        auto r = store.append(probeStream, eventium::ExpectedVersion::exact(version), events);
        const auto committed = Clock::now();
        if (!r || r->isConflict()) {
            *error = r ? QStringLiteral("probe conflict") : r.error().toString();
            ok = false;
            break;
        }
        ++version;
        probes.append({events[0].id, committed});
        next += interval;
        std::this_thread::sleep_until(next);
    }
    stop = true;
    for (auto &t : background)
        t.join();
    if (ok)
        receipts.collect(probes, samples, missing);
    follower.stop();
    std::lock_guard lock(followerErrorMutex);
    for (const QString &e : bgErrors) {
        if (!e.isEmpty() && ok) {
            *error = QStringLiteral("background writer: ") + e;
            ok = false;
        }
    }
    if (ok && !followerError.isEmpty()) {
        *error = QStringLiteral("follower: ") + followerError;
        ok = false;
    }
    return ok;
}

bool BenchRunner::measureLatencyRaw(int round, QList<double> *samples, int *missing, QString *error)
{
    const QString schema = QLatin1String(rawSchema);
    const QString channel = QStringLiteral("bench_raw_live");
    const QString insertNotify
        = QStringLiteral(
              "WITH i AS (INSERT INTO %1.events (stream, version, id, type, data, metadata) "
              "VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq) SELECT pg_notify('%2', seq::text) "
              "FROM i")
              .arg(schema, channel);

    // The listener: LISTEN, wait on the socket, then SELECT what is new.
    PgConnection listener(conninfo());
    if (!listener.isOk() || !listener.exec(QStringLiteral("LISTEN %1").arg(channel), error)
        || !listener.prepare(
            "new",
            QStringLiteral("SELECT seq, id FROM %1.events WHERE seq > $1 ORDER BY seq").arg(schema),
            error)) {
        if (error->isEmpty())
            *error = listener.errorMessage();
        return false;
    }
    eventium::pg::Rows last
        = listener.query(QStringLiteral("SELECT coalesce(max(seq), 0) FROM %1.events").arg(schema));
    if (!last.ok()) {
        *error = PgConnection::errorText(last);
        return false;
    }
    qint64 lastSeq = last.int64(0, 0);
    Receipts receipts;
    std::atomic<bool> stopListening {false};
    QString listenError;
    std::thread listenThread([&] {
        while (!stopListening.load()) {
            pollfd fd {listener.socket(), POLLIN, 0};
            if (::poll(&fd, 1, 50) <= 0)
                continue;
            if (!listener.consumeInput()) {
                listenError = listener.errorMessage();
                return;
            }
            if (listener.drainNotifications() == 0)
                continue;
            eventium::pg::Rows r = listener.execPrepared("new", {QByteArray::number(lastSeq)});
            const auto now = Clock::now();
            if (!r.ok()) {
                listenError = PgConnection::errorText(r);
                return;
            }
            for (int row = 0; row < r.rows(); ++row) {
                lastSeq = std::max(lastSeq, r.int64(row, 0));
                receipts.note(QUuid::fromString(QLatin1StringView(r.text(row, 1))), now);
            }
            listener.drainNotifications();
        }
    });

    auto openWriter = [&](QString *err) -> std::shared_ptr<PgConnection> {
        auto conn = std::make_shared<PgConnection>(conninfo());
        if (!conn->isOk()) {
            *err = conn->errorMessage();
            return nullptr;
        }
        if (!conn->prepare("ins", insertNotify, err))
            return nullptr;
        return conn;
    };
    auto appendOne = [](PgConnection &conn, const QString &stream, qint64 version, const QUuid &id,
                        QString *err) {
        const auto events = Workload::newEvents(version, 1);
        QList<QByteArray> params = Workload::insertParams(stream, version, events);
        params[2] = id.toByteArray(QUuid::WithoutBraces);
        eventium::pg::Rows r = conn.execPrepared("ins", params);
        if (!r.ok()) {
            *err = PgConnection::errorText(r);
            return false;
        }
        return true;
    };

    std::atomic<bool> stop {false};
    std::vector<QString> bgErrors(m_config.backgroundWriters);
    std::vector<std::thread> background;
    bool ok = true;
    for (int i = 0; i < m_config.backgroundWriters && ok; ++i) {
        auto conn = openWriter(error);
        if (!conn) {
            ok = false;
            break;
        }
        const QString stream = QStringLiteral("live-r%1-raw-bg%2").arg(round).arg(i);
        qint64 version = 0;
        background.push_back(backgroundWriter(
            stop, m_config.backgroundRatePerWriter, &bgErrors[i],
            [conn, stream, version, appendOne](QString *err) mutable {
                return appendOne(*conn, stream, ++version, QUuid::createUuid(), err);
            }));
    }
    QList<QPair<QUuid, Clock::time_point>> probes;
    if (ok) {
        auto probe = openWriter(error);
        ok = probe != nullptr;
        const QString stream = QStringLiteral("live-r%1-raw-probe").arg(round);
        const auto interval = std::chrono::milliseconds(m_config.probeIntervalMs);
        const auto end = Clock::now() + m_config.latencyDuration;
        auto next = Clock::now();
        qint64 version = 0;
        while (ok && Clock::now() < end) {
            const QUuid id = QUuid::createUuid();
            if (!appendOne(*probe, stream, ++version, id, error)) {
                ok = false;
                break;
            }
            probes.append({id, Clock::now()});
            next += interval;
            std::this_thread::sleep_until(next);
        }
    }
    stop = true;
    for (auto &t : background)
        t.join();
    if (ok)
        receipts.collect(probes, samples, missing);
    stopListening = true;
    listenThread.join();
    for (const QString &e : bgErrors) {
        if (!e.isEmpty() && ok) {
            *error = QStringLiteral("background writer: ") + e;
            ok = false;
        }
    }
    if (ok && !listenError.isEmpty()) {
        *error = QStringLiteral("listener: ") + listenError;
        ok = false;
    }
    return ok;
}

} // namespace bench
