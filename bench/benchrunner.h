#pragma once

#include "benchconfig.h"
#include "benchcontext.h"
#include "scalepoint.h"
#include "scenarioresult.h"

#include <eventium/connectionoptions.h>

#include <QList>
#include <QString>

namespace bench {

struct Scenario;

// Runs the scenarios of ScenarioTable: the store ("ours") and its baselines ("raw": plain libpq
// INSERT and SELECT; "lock": the table-lock design; "peer": an advisory lock and a bigserial
// position, PeerWriter) back to back in interleaved rounds, each in its own schema of the same
// database.
class BenchRunner
{
public:
    BenchRunner(BenchConfig config, eventium::ConnectionOptions options);
    BenchRunner(const BenchRunner &) = delete;
    BenchRunner &operator=(const BenchRunner &) = delete;

    // The private server the run started, of which a standby can be made (live_latency_standby).
    void setServer(eventium::EmbeddedPostgres *server) { m_context.setServer(server); }
    // Fresh schemas for every variant; false with a message on failure.
    bool setUp(QString *error);
    // Drops the schemas this run created.
    void tearDown();
    // One scenario of BenchConfig::scenarioNames(); live_latency gives two rows (p50, p99).
    QList<ScenarioResult> run(const QString &scenario);
    // --scale: the read data set loaded afresh with `events` events on the server
    // (ReadDataSet::loadOnServer), then each of ScenarioTable::scale()'s scenarios on it. A
    // failed load fails every row.
    ScalePoint runScale(qint64 events);

private:
    // The rounds loop every scenario runs through.
    QList<ScenarioResult> runRounds(const Scenario &scenario);

    BenchContext m_context;
};

} // namespace bench
