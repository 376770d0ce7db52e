#pragma once

#include "benchconfig.h"
#include "scenarioresult.h"
#include "variant.h"

#include <eventium/connectionoptions.h>

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace eventium {
class Store;
}

namespace bench {

class PgConnection;

// Runs the scenarios: the store ("ours") and its baselines ("raw": plain libpq INSERT and
// SELECT; "lock": the table-lock design) back to back in interleaved rounds, each in its own
// schema of the same database.
class BenchRunner
{
public:
    BenchRunner(BenchConfig config, eventium::ConnectionOptions options);
    ~BenchRunner();
    BenchRunner(const BenchRunner &) = delete;
    BenchRunner &operator=(const BenchRunner &) = delete;

    // Fresh schemas for every variant; false with a message on failure.
    bool setUp(QString *error);
    // Drops the schemas this run created.
    void tearDown();
    // One scenario of BenchConfig::scenarioNames(); live_latency gives two rows (p50, p99).
    QList<ScenarioResult> run(const QString &scenario);

    static constexpr const char *oursWriteSchema = "bench_ours_w";
    static constexpr const char *oursReadSchema = "bench_ours_r";
    static constexpr const char *rawSchema = "bench_raw";
    static constexpr const char *lockSchema = "bench_lock";

private:
    ScenarioResult runAppend(const QString &name, int writers, int batch);
    std::optional<double> measureAppend(Variant variant, const QString &tag, int writers, int batch,
                                        QString *error);
    bool loadReadData(QString *error);
    ScenarioResult runReadGlobal();
    std::optional<double> measureReadGlobal(Variant variant, QString *error);
    ScenarioResult runReadStream();
    bool measureReadStream(Variant variant, int round, QList<double> *samples, QString *error);
    QList<ScenarioResult> runLiveLatency();
    bool measureLatencyOurs(int round, QList<double> *samples, int *missing, QString *error);
    bool measureLatencyRaw(int round, QList<double> *samples, int *missing, QString *error);

    QString conninfo() const;
    std::unique_ptr<eventium::Store> makeWriteStore() const;
    void progress(const QString &line) const;

    BenchConfig m_config;
    eventium::ConnectionOptions m_options;
    std::unique_ptr<eventium::Store> m_readStore;
    bool m_readLoaded = false;
    int m_readStreams = 0;
};

} // namespace bench
