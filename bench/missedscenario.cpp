#include "missedscenario.h"

#include "appendscenarios.h"
#include "benchcontext.h"
#include "livefollower.h"
#include "ourswriter.h"
#include "peerwriter.h"
#include "pgconnection.h"
#include "rawwriter.h"
#include "samples.h"
#include "statistics.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

namespace {

// Makes the writer that appends to `stream`.
using MakeWriter = std::function<std::unique_ptr<WriterTask>(const QString &stream)>;

// The round's writers, on streams named after the scenario, the round, the variant and the
// writer; false with an error.
bool runWriters(const Round &round, const MakeWriter &make, QString *error)
{
    const BenchConfig &config = round.context.config();
    const QString tag = QStringLiteral("%1-r%2-%3")
                            .arg(round.scenario)
                            .arg(round.number)
                            .arg(variantName(round.variant));
    qint64 written = 0;
    return AppendScenarios::runWriters(
               config.missedWriters, config.missedDuration,
               [&](int i) { return make(QStringLiteral("%1-w%2").arg(tag).arg(i)); }, &written,
               error)
        .has_value();
}

// How many of `written` (sorted) are not in `seen` (sorted).
qint64 countMissed(const std::vector<qint64> &written, const std::vector<qint64> &seen)
{
    qint64 missed = 0;
    for (const qint64 p : written)
        missed += std::binary_search(seen.begin(), seen.end(), p) ? 0 : 1;
    return missed;
}

// raw and peer: a reader that polls `column > last` of `table` in a tight loop while the
// writers `make` gives append; then the positions written after the start that it never saw.
bool measurePolled(const Round &round, const QString &table, const QString &column,
                   const MakeWriter &make, QString *error)
{
    PgConnection reader(round.context.conninfo());
    if (!reader.isOk()
        || !reader.prepare("poll",
                           QStringLiteral("SELECT %2 FROM %1 WHERE %2 > $1 ORDER BY %2 LIMIT 1000")
                               .arg(table, column),
                           error)) {
        if (error->isEmpty())
            *error = reader.errorMessage();
        return false;
    }
    eventium::pg::Rows head
        = reader.query(QStringLiteral("SELECT coalesce(max(%2), 0) FROM %1").arg(table, column));
    if (!head.ok() || head.rows() != 1) {
        *error = PgConnection::errorText(head);
        return false;
    }
    const qint64 start = head.int64(0, 0);

    std::vector<qint64> seen;
    std::atomic<bool> stop {false};
    QString readError;
    std::thread readerThread([&] {
        qint64 last = start;
        for (;;) {
            // Asked to stop before this read began: every writer has finished, so a read that
            // finds nothing more is the end.
            const bool stopping = stop.load();
            eventium::pg::Rows r = reader.execPrepared("poll", {QByteArray::number(last)});
            if (!r.ok()) {
                readError = PgConnection::errorText(r);
                return;
            }
            for (int row = 0; row < r.rows(); ++row) {
                const qint64 position = r.int64(row, 0);
                seen.push_back(position);
                last = std::max(last, position);
            }
            if (stopping && r.rows() == 0)
                return;
        }
    });
    const bool wrote = runWriters(round, make, error);
    stop = true;
    readerThread.join();
    if (!wrote)
        return false;
    if (!readError.isEmpty()) {
        *error = QStringLiteral("reader: ") + readError;
        return false;
    }

    eventium::pg::Rows all
        = reader.query(QStringLiteral("SELECT %2 FROM %1 WHERE %2 > %3 ORDER BY %2")
                           .arg(table, column)
                           .arg(start));
    if (!all.ok()) {
        *error = PgConnection::errorText(all);
        return false;
    }
    std::vector<qint64> written;
    written.reserve(all.rows());
    for (int row = 0; row < all.rows(); ++row)
        written.push_back(all.int64(row, 0));
    std::sort(seen.begin(), seen.end());
    round.samples->append(double(countMissed(written, seen)));
    if (round.events)
        *round.events += qint64(written.size());
    return true;
}

} // namespace

bool MissedScenario::measureOurs(const Round &round, QString *error)
{
    std::unique_ptr<eventium::Store> store = round.context.makeWriteStore();
    auto head = store->sequenceNow();
    if (!head) {
        *error = head.error().toString();
        return false;
    }
    eventium::Follower::Settings settings;
    settings.schema = QLatin1String(BenchContext::oursWriteSchema);
    settings.from = eventium::GlobalPosition(head->value + 1);
    eventium::Follower follower(round.context.options(), settings);
    std::mutex mutex;
    std::vector<qint64> delivered;
    QString followerError;
    QObject::connect(
        &follower, &eventium::Follower::eventsReceived, &follower,
        [&](const QList<eventium::RecordedEvent> &events) {
            std::lock_guard lock(mutex);
            for (const eventium::RecordedEvent &e : events)
                delivered.push_back(e.position.value);
        },
        Qt::DirectConnection);
    QObject::connect(
        &follower, &eventium::Follower::errorOccurred, &follower,
        [&](const eventium::StoreError &e) {
            std::lock_guard lock(mutex);
            followerError = e.toString();
        },
        Qt::DirectConnection);
    if (!startLive(follower, error))
        return false;

    eventium::Store *s = store.get();
    if (!runWriters(
            round,
            [s](const QString &stream) { return std::make_unique<OursWriter>(s, stream, 1); },
            error))
        return false;
    // Everything written is numbered, then delivered.
    auto end = store->sequenceNow(std::chrono::seconds(30));
    if (!end) {
        *error = end.error().toString();
        return false;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (follower.nextPosition().value <= end->value && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    follower.stop();

    std::lock_guard lock(mutex);
    if (!followerError.isEmpty()) {
        *error = QStringLiteral("follower: ") + followerError;
        return false;
    }
    // Every position once, in order: nothing seen twice, nothing out of order.
    if (std::adjacent_find(delivered.begin(), delivered.end(), std::greater_equal<qint64>())
        != delivered.end()) {
        *error = QStringLiteral("the follower delivered a position twice or out of order");
        return false;
    }
    std::vector<qint64> written;
    for (qint64 p = head->value + 1; p <= end->value; ++p)
        written.push_back(p);
    const qint64 missed = countMissed(written, delivered);
    round.samples->append(double(missed));
    if (round.events)
        *round.events += qint64(written.size());
    if (missed > 0) {
        *error = QStringLiteral("ours missed %1 of %2 events").arg(missed).arg(written.size());
        return false;
    }
    return true;
}

bool MissedScenario::measureRaw(const Round &round, QString *error)
{
    const QString conninfo = round.context.conninfo();
    return measurePolled(
        round, QStringLiteral("%1.events").arg(QLatin1String(BenchContext::rawSchema)),
        QStringLiteral("seq"),
        [&conninfo](const QString &stream) {
            return std::make_unique<RawWriter>(conninfo, stream, 1);
        },
        error);
}

bool MissedScenario::measurePeer(const Round &round, QString *error)
{
    const QString conninfo = round.context.conninfo();
    return measurePolled(
        round, QStringLiteral("%1.messages").arg(QLatin1String(BenchContext::peerSchema)),
        QStringLiteral("global_position"),
        [&conninfo](const QString &stream) {
            return std::make_unique<PeerWriter>(conninfo, stream, 1);
        },
        error);
}

namespace {

qint64 total(const QList<double> &values)
{
    double sum = 0;
    for (const double v : values)
        sum += v;
    return qint64(sum);
}

} // namespace

QString MissedScenario::progress(int round, const Samples &samples)
{
    QStringList parts;
    for (const Variant v : {Variant::Ours, Variant::Raw, Variant::Peer}) {
        parts << QStringLiteral("%1 %2 of %3")
                     .arg(variantName(v))
                     .arg(total(samples.values(v)))
                     .arg(samples.events(v));
    }
    return QStringLiteral("peer_missed_8w round %1: missed so far %2")
        .arg(round)
        .arg(parts.join(QStringLiteral(", ")));
}

QList<ScenarioResult> MissedScenario::summarize(const BenchContext &context,
                                                const Scenario &scenario, const Samples &samples)
{
    ScenarioResult r;
    r.name = scenario.name;
    r.unit = scenario.unit;
    const BenchConfig &config = context.config();
    const double seconds
        = std::chrono::duration<double>(config.missedDuration).count() * config.missedRounds;
    QStringList written;
    for (const Variant v : {Variant::Ours, Variant::Raw, Variant::Peer}) {
        const QList<double> values = samples.values(v);
        if (values.isEmpty())
            continue;
        const std::optional<double> missed = double(total(values));
        if (v == Variant::Ours)
            r.ours = missed;
        else if (v == Variant::Raw)
            r.raw = missed;
        else
            r.peer = missed;
        written << QStringLiteral("%1 %2 (about %3/s)")
                       .arg(variantName(v))
                       .arg(samples.events(v))
                       .arg(double(samples.events(v)) / std::max(seconds, 0.001), 0, 'f', 0);
    }
    r.note = QStringLiteral("events written by %1 writers in %2 x %3 s: %4; reader: ours a "
                            "Follower, raw and peer a poll of position > last in a tight loop")
                 .arg(config.missedWriters)
                 .arg(config.missedRounds)
                 .arg(std::chrono::duration<double>(config.missedDuration).count())
                 .arg(written.join(QStringLiteral(", ")));
    return {r};
}

} // namespace bench
