#include "appendscenarios.h"

#include "benchcontext.h"
#include "lockwriter.h"
#include "ourswriter.h"
#include "peerwriter.h"
#include "rawwriter.h"
#include "samples.h"
#include "statistics.h"

#include <eventium/store.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace bench {

namespace {

// Makes the writer that appends to `stream`.
using MakeWriter = std::function<std::unique_ptr<WriterTask>(const QString &stream)>;

// One round: the writers `make` gives, on streams named after the scenario, the round, the
// variant and the writer.
bool measure(const Round &round, int writers, const MakeWriter &make, QString *error)
{
    const QString tag = QStringLiteral("%1-r%2").arg(round.scenario).arg(round.number);
    const QString variant = variantName(round.variant);
    qint64 written = 0;
    auto rate = AppendScenarios::runWriters(
        writers, round.context.config().appendDuration,
        [&](int i) { return make(QStringLiteral("%1-%2-w%3").arg(tag, variant).arg(i)); }, &written,
        error);
    if (!rate)
        return false;
    if (round.events)
        *round.events += written;
    round.samples->append(*rate);
    return true;
}

// One round of `Writer`s, each on a libpq connection of its own.
template<typename Writer>
Scenario::Measure libpqWriters(AppendScenarios::Size writers, AppendScenarios::Size batch)
{
    return [writers, batch](const Round &round, QString *error) {
        const BenchConfig &config = round.context.config();
        const QString conninfo = round.context.conninfo();
        return measure(
            round, writers(config),
            [&](const QString &stream) {
                return std::make_unique<Writer>(conninfo, stream, batch(config));
            },
            error);
    };
}

} // namespace

std::optional<double>
AppendScenarios::runWriters(int writers, std::chrono::milliseconds duration,
                            const std::function<std::unique_ptr<WriterTask>(int)> &make,
                            qint64 *written, QString *error)
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
    *written = total;
    const double seconds = msBetween(start, end) / 1000.0;
    return seconds > 0 ? std::optional<double>(double(total) / seconds) : std::nullopt;
}

Scenario::Measure AppendScenarios::ours(Size writers, Size batch)
{
    return [writers, batch](const Round &round, QString *error) {
        const BenchConfig &config = round.context.config();
        std::unique_ptr<eventium::Store> store = round.context.makeWriteStore();
        return measure(
            round, writers(config),
            [&](const QString &stream) {
                return std::make_unique<OursWriter>(store.get(), stream, batch(config));
            },
            error);
    };
}

Scenario::Measure AppendScenarios::oursOn(const char *schema, Size writers, Size batch)
{
    return [schema, writers, batch](const Round &round, QString *error) {
        const BenchConfig &config = round.context.config();
        std::unique_ptr<eventium::Store> store = round.context.makeWriteStore(schema);
        return measure(
            round, writers(config),
            [&](const QString &stream) {
                return std::make_unique<OursWriter>(store.get(), stream, batch(config));
            },
            error);
    };
}

Scenario::Measure AppendScenarios::raw(Size writers, Size batch)
{
    return libpqWriters<RawWriter>(writers, batch);
}

Scenario::Measure AppendScenarios::lock(Size writers, Size batch)
{
    return libpqWriters<LockWriter>(writers, batch);
}

Scenario::Measure AppendScenarios::peer(Size writers, Size batch)
{
    return libpqWriters<PeerWriter>(writers, batch);
}

Scenario::Measure AppendScenarios::rawOn(const char *table, Size writers, Size batch)
{
    return [table, writers, batch](const Round &round, QString *error) {
        const BenchConfig &config = round.context.config();
        const QString conninfo = round.context.conninfo();
        return measure(
            round, writers(config),
            [&](const QString &stream) {
                return std::make_unique<RawWriter>(conninfo, stream, batch(config),
                                                   QLatin1String(table));
            },
            error);
    };
}

QList<ScenarioResult> AppendScenarios::summarize(const BenchContext &, const Scenario &scenario,
                                                 const Samples &samples)
{
    return {samples.medians(scenario.name, scenario.unit)};
}

} // namespace bench
