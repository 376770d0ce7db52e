#include "livelatencyscenario.h"

#include "benchcontext.h"
#include "livefollower.h"
#include "pgconnection.h"
#include "receipts.h"
#include "samples.h"
#include "statistics.h"
#include "workload.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

namespace {

// Appends once: false with an error.
using AppendOnce = std::function<bool(QString *error)>;
// Appends one event with this id: false with an error.
using AppendProbe = std::function<bool(const QUuid &id, QString *error)>;
// What appends to `stream`: empty, with an error, when it cannot be had.
using MakeBackground = std::function<AppendOnce(const QString &stream, int writer, QString *error)>;
using MakeProbe = std::function<AppendProbe(const QString &stream, QString *error)>;

// The background load: how many writers, each at how many appends a second.
struct Load
{
    int writers = 0;
    int ratePerWriter = 0;
};

Load load(const BenchConfig &config, bool loaded)
{
    return loaded ? Load {config.loadedWriters, config.loadedRatePerWriter}
                  : Load {config.backgroundWriters, config.backgroundRatePerWriter};
}

// Appends at a fixed rate until stopped (the steady background load).
std::thread backgroundWriter(std::atomic<bool> &stop, int ratePerSecond, QString *error,
                             AppendOnce append)
{
    return std::thread([&stop, ratePerSecond, error, append = std::move(append)] {
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

// The load of one round: `load`'s writers at its rate, and a probe every probeIntervalMs for
// latencyDuration; then the latency of every probe that `receipts` saw arrive goes to the
// round's samples.
bool probeUnderLoad(const Round &round, const Load &load, Receipts &receipts,
                    const MakeBackground &makeBackground, const MakeProbe &makeProbe,
                    QString *error, const QString &tag)
{
    const BenchConfig &config = round.context.config();
    // Streams of their own for each round, variant and load (live_latency and
    // live_latency_loaded write to the same schema).
    const QString prefix = QStringLiteral("live-%4r%1-%2-%3w")
                               .arg(round.number)
                               .arg(variantName(round.variant))
                               .arg(load.writers)
                               .arg(tag);
    std::atomic<bool> stop {false};
    std::vector<QString> bgErrors(load.writers);
    std::vector<std::thread> background;
    bool ok = true;
    for (int i = 0; i < load.writers; ++i) {
        AppendOnce append = makeBackground(QStringLiteral("%1-bg%2").arg(prefix).arg(i), i, error);
        if (!append) {
            ok = false;
            break;
        }
        background.push_back(
            backgroundWriter(stop, load.ratePerWriter, &bgErrors[i], std::move(append)));
    }
    QList<QPair<QUuid, Clock::time_point>> probes;
    if (ok) {
        const AppendProbe probe = makeProbe(prefix + QStringLiteral("-probe"), error);
        ok = bool(probe);
        const auto interval = std::chrono::milliseconds(config.probeIntervalMs);
        const auto end = Clock::now() + config.latencyDuration;
        auto next = Clock::now();
        while (ok && Clock::now() < end) {
            const QUuid id = QUuid::createUuid();
            if (!probe(id, error)) {
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
        receipts.collect(probes, round.samples, round.missing);
    for (const QString &e : bgErrors) {
        if (!e.isEmpty() && ok) {
            *error = QStringLiteral("background writer: ") + e;
            ok = false;
        }
    }
    return ok;
}

} // namespace

QStringList LiveLatencyScenario::rows()
{
    return {QStringLiteral("live_latency_p50"), QStringLiteral("live_latency_p99")};
}

namespace {

// Where the live reader reads: the server written to, or a hot standby of it.
enum class Reader { Primary, Standby };

bool measureOursUnder(const Round &round, bool loaded, QString *error,
                      Reader reader = Reader::Primary)
{
    std::unique_ptr<eventium::Store> ours = round.context.makeWriteStore();
    eventium::Store &store = *ours;
    auto head = store.sequenceNow();
    if (!head) {
        *error = head.error().toString();
        return false;
    }
    eventium::Follower::Settings fs;
    fs.schema = QLatin1String(BenchContext::oursWriteSchema);
    fs.from = eventium::GlobalPosition(head->value + 1);
    eventium::Follower follower(
        reader == Reader::Standby ? round.context.standbyOptions() : round.context.options(), fs);
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
    if (!startLive(follower, error))
        return false;

    const auto background = [&store](const QString &stream, int writer, QString *) -> AppendOnce {
        return
            [&store, stream = eventium::StreamName(stream), events = Workload::newEvents(writer, 1),
             version = qint64(0)](QString *err) mutable {
                auto r = store.append(stream, eventium::ExpectedVersion::exact(version), events);
                if (!r || r->isConflict()) {
                    *err = r ? QStringLiteral("conflict") : r.error().toString();
                    return false;
                }
                ++version;
                return true;
            };
    };
    const auto probe = [&store](const QString &stream, QString *) -> AppendProbe {
        return [&store, stream = eventium::StreamName(stream),
                version = qint64(0)](const QUuid &id, QString *err) mutable {
            QList<eventium::NewEvent> events = Workload::newEvents(version, 1);
            events[0].id = id;
            auto r = store.append(stream, eventium::ExpectedVersion::exact(version), events);
            if (!r || r->isConflict()) {
                *err = r ? QStringLiteral("probe conflict") : r.error().toString();
                return false;
            }
            ++version;
            return true;
        };
    };
    bool ok
        = probeUnderLoad(round, load(round.context.config(), loaded), receipts, background, probe,
                         error, reader == Reader::Standby ? QStringLiteral("sb-") : QString());
    follower.stop();
    std::lock_guard lock(followerErrorMutex);
    if (ok && !followerError.isEmpty()) {
        *error = QStringLiteral("follower: ") + followerError;
        ok = false;
    }
    return ok;
}

// On a standby (which cannot LISTEN) the raw reader polls every millisecond: what it sees is
// the replay lag, the floor for any reader there.
bool measureRawUnder(const Round &round, bool loaded, QString *error,
                     Reader reader = Reader::Primary)
{
    const QString schema = QLatin1String(BenchContext::rawSchema);
    const QString conninfo = round.context.conninfo();
    const bool onStandby = reader == Reader::Standby;
    const QString channel = QStringLiteral("bench_raw_live");
    const QString insertNotify
        = QStringLiteral(
              "WITH i AS (INSERT INTO %1.events (stream, version, id, type, data, metadata) "
              "VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq) SELECT pg_notify('%2', seq::text) "
              "FROM i")
              .arg(schema, channel);

    // The listener: LISTEN, wait on the socket, then SELECT what is new.
    PgConnection listener(onStandby ? round.context.standbyOptions().toConnInfo() : conninfo);
    if (!listener.isOk()
        || (!onStandby && !listener.exec(QStringLiteral("LISTEN %1").arg(channel), error))
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
    // Reads what is new since lastSeq and notes its arrival; false on an error.
    const auto readNew = [&] {
        eventium::pg::Rows r = listener.execPrepared("new", {QByteArray::number(lastSeq)});
        const auto now = Clock::now();
        if (!r.ok()) {
            listenError = PgConnection::errorText(r);
            return false;
        }
        for (int row = 0; row < r.rows(); ++row) {
            lastSeq = std::max(lastSeq, r.int64(row, 0));
            receipts.note(QUuid::fromString(QLatin1StringView(r.text(row, 1))), now);
        }
        return true;
    };
    std::thread listenThread([&] {
        while (onStandby && !stopListening.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if (!readNew())
                return;
        }
        while (!onStandby && !stopListening.load()) {
            pollfd fd {listener.socket(), POLLIN, 0};
            if (::poll(&fd, 1, 50) <= 0)
                continue;
            if (!listener.consumeInput()) {
                listenError = listener.errorMessage();
                return;
            }
            if (listener.drainNotifications() == 0)
                continue;
            if (!readNew())
                return;
            listener.drainNotifications();
        }
    });

    // A writer on a connection of its own: INSERT and pg_notify in one statement.
    const auto writer = [&](const QString &stream, QString *err) -> AppendProbe {
        auto conn = std::make_shared<PgConnection>(conninfo);
        if (!conn->isOk()) {
            *err = conn->errorMessage();
            return {};
        }
        if (!conn->prepare("ins", insertNotify, err))
            return {};
        return [conn, stream, version = qint64(0)](const QUuid &id, QString *e) mutable {
            ++version;
            QList<QByteArray> params
                = Workload::insertParams(stream, version, Workload::newEvents(version, 1));
            params[2] = id.toByteArray(QUuid::WithoutBraces);
            eventium::pg::Rows r = conn->execPrepared("ins", params);
            if (!r.ok()) {
                *e = PgConnection::errorText(r);
                return false;
            }
            return true;
        };
    };
    const auto background = [&writer](const QString &stream, int, QString *err) -> AppendOnce {
        AppendProbe append = writer(stream, err);
        if (!append)
            return {};
        return [append](QString *e) { return append(QUuid::createUuid(), e); };
    };
    bool ok = probeUnderLoad(round, load(round.context.config(), loaded), receipts, background,
                             writer, error, onStandby ? QStringLiteral("sb-") : QString());
    stopListening = true;
    listenThread.join();
    if (ok && !listenError.isEmpty()) {
        *error = QStringLiteral("listener: ") + listenError;
        ok = false;
    }
    return ok;
}

// p50 and p99 of both variants, named `names`, with a note on the load.
QList<ScenarioResult> summarizeUnder(const BenchContext &context, const Scenario &scenario,
                                     const Samples &samples, const QStringList &names, bool loaded)
{
    ScenarioResult p50;
    p50.name = names.at(0);
    p50.unit = scenario.unit;
    ScenarioResult p99 = p50;
    p99.name = names.at(1);
    const QList<double> ours = samples.values(Variant::Ours);
    const QList<double> raw = samples.values(Variant::Raw);
    if (ours.isEmpty() || raw.isEmpty()) {
        p50.error = p99.error = QStringLiteral("no probe was received");
        return {p50, p99};
    }
    p50.ours = percentile(ours, 50);
    p50.raw = percentile(raw, 50);
    p99.ours = percentile(ours, 99);
    p99.raw = percentile(raw, 99);
    const int oursMissing = samples.missing(Variant::Ours);
    const int rawMissing = samples.missing(Variant::Raw);
    const Load l = load(context.config(), loaded);
    const QString note
        = QStringLiteral("%1 probes each, %2 background writers at %3/s; raw = INSERT+pg_notify, "
                         "LISTEN then SELECT; lock n/a (same live path as raw)%4")
              .arg(ours.size())
              .arg(l.writers)
              .arg(l.ratePerWriter)
              .arg(
                  oursMissing + rawMissing
                      ? QStringLiteral("; missing ours %1, raw %2").arg(oursMissing).arg(rawMissing)
                      : QString());
    p50.note = p99.note = note;
    return {p50, p99};
}

} // namespace

bool LiveLatencyScenario::measureOurs(const Round &round, QString *error)
{
    return measureOursUnder(round, false, error);
}

bool LiveLatencyScenario::measureRaw(const Round &round, QString *error)
{
    return measureRawUnder(round, false, error);
}

bool LiveLatencyScenario::prepareStandby(BenchContext &context, QString *error)
{
    return context.ensureStandby(error);
}

bool LiveLatencyScenario::measureOursStandby(const Round &round, QString *error)
{
    return measureOursUnder(round, false, error, Reader::Standby);
}

bool LiveLatencyScenario::measureRawStandby(const Round &round, QString *error)
{
    return measureRawUnder(round, false, error, Reader::Standby);
}

QStringList LiveLatencyScenario::standbyRows()
{
    return {QStringLiteral("live_latency_standby_p50"), QStringLiteral("live_latency_standby_p99")};
}

QList<ScenarioResult> LiveLatencyScenario::summarizeStandby(const BenchContext &context,
                                                            const Scenario &scenario,
                                                            const Samples &samples)
{
    QList<ScenarioResult> rows = summarizeUnder(context, scenario, samples, standbyRows(), false);
    const ScenarioResult &p99 = rows.at(1);
    if (!p99.ours || !p99.raw)
        return rows;
    const QString gap = QStringLiteral("on a hot standby: ours a Follower there, raw a 1 ms "
                                       "poll there (the replay lag); ours - raw at p99 %1 ms "
                                       "(target <= 50); ")
                            .arg(*p99.ours - *p99.raw, 0, 'f', 1);
    for (ScenarioResult &r : rows)
        r.note = gap + r.note;
    return rows;
}

bool LiveLatencyScenario::measureOursLoaded(const Round &round, QString *error)
{
    return measureOursUnder(round, true, error);
}

bool LiveLatencyScenario::measureRawLoaded(const Round &round, QString *error)
{
    return measureRawUnder(round, true, error);
}

QStringList LiveLatencyScenario::loadedRows()
{
    return {QStringLiteral("live_latency_loaded_p50"), QStringLiteral("live_latency_loaded_p99")};
}

QString LiveLatencyScenario::progress(int round, const Samples &samples)
{
    const QList<double> ours = samples.values(Variant::Ours);
    const QList<double> raw = samples.values(Variant::Raw);
    return QStringLiteral("live_latency round %1: ours p50 %2 ms p99 %3 ms (%4 probes), raw "
                          "p50 %5 ms p99 %6 ms (%7 probes)")
        .arg(round)
        .arg(percentile(ours, 50), 0, 'f', 2)
        .arg(percentile(ours, 99), 0, 'f', 2)
        .arg(ours.size())
        .arg(percentile(raw, 50), 0, 'f', 2)
        .arg(percentile(raw, 99), 0, 'f', 2)
        .arg(raw.size());
}

QList<ScenarioResult> LiveLatencyScenario::summarize(const BenchContext &context,
                                                     const Scenario &scenario,
                                                     const Samples &samples)
{
    return summarizeUnder(context, scenario, samples, rows(), false);
}

QList<ScenarioResult> LiveLatencyScenario::summarizeLoaded(const BenchContext &context,
                                                           const Scenario &scenario,
                                                           const Samples &samples)
{
    return summarizeUnder(context, scenario, samples, loadedRows(), true);
}

} // namespace bench
