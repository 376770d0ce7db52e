#include "benchrunner.h"

#include "peerwriter.h"
#include "pgconnection.h"
#include "report.h"
#include "samples.h"
#include "scenariotable.h"
#include "workload.h"

#include <eventium/store.h>

#include <QFile>
#include <QThread>

#include <chrono>
#include <map>
#include <memory>

namespace bench {

namespace {

// Every row of the scenario, failed with `error`.
QList<ScenarioResult> failed(const Scenario &scenario, const QString &error)
{
    QList<ScenarioResult> rows;
    for (const QString &name : scenario.rowNames()) {
        ScenarioResult r;
        r.name = name;
        r.unit = scenario.unit;
        r.error = error;
        rows.append(r);
    }
    return rows;
}

// Puts version 4's append_events() (the store's migration 0004, shipped in its resources) in
// place of the current one on BenchContext::oursV4AppendSchema, running as its owner with a
// fixed search_path as the current one does (0007, 0008), so that only the body differs.
bool installV4Append(PgConnection &admin, QString *error)
{
    QFile file(QStringLiteral(":/eventium/migrations/0004_idempotent_expectation.sql"));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    const QString schema = QLatin1String(BenchContext::oursV4AppendSchema);
    QString sql = QString::fromUtf8(file.readAll());
    sql.replace(QStringLiteral("{{schema}}"), schema);
    return admin.exec(sql, error)
        && admin.exec(QStringLiteral("ALTER FUNCTION %1.append_events(text, bigint, uuid[], "
                                     "text[], jsonb[], jsonb[]) SECURITY DEFINER "
                                     "SET search_path = pg_catalog, pg_temp")
                          .arg(schema),
                      error);
}

} // namespace

BenchRunner::BenchRunner(BenchConfig config, eventium::ConnectionOptions options)
    : m_context(std::move(config), std::move(options))
{
}

bool BenchRunner::setUp(QString *error)
{
    PgConnection admin(m_context.conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    for (const char *s : BenchContext::schemas()) {
        if (!admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(QLatin1String(s)),
                        error))
            return false;
    }
    for (const char *s : {BenchContext::rawSchema, BenchContext::lockSchema}) {
        const QString schema = QLatin1String(s);
        if (!admin.exec(QStringLiteral("CREATE SCHEMA %1").arg(schema), error)
            || !admin.exec(Workload::createTableSql(schema, QStringLiteral("events")), error)
            || !admin.exec(Workload::createTableSql(schema, QStringLiteral("events_read"), false),
                           error))
            return false;
    }
    const QString peer = QLatin1String(BenchContext::peerSchema);
    if (!admin.exec(QStringLiteral("CREATE SCHEMA %1").arg(peer), error)
        || !admin.exec(PeerWriter::schemaSql(peer), error))
        return false;
    for (const char *schema :
         {BenchContext::oursWriteSchema, BenchContext::oursNoSearchIndexSchema,
          BenchContext::oursNoRelatedIndexSchema, BenchContext::oursNoRecencyIndexSchema,
          BenchContext::oursCoreIndexesSchema, BenchContext::oursV4AppendSchema}) {
        auto writeStore = m_context.makeWriteStore(schema);
        if (auto r = writeStore->migrate(); !r) {
            *error = r.error().toString();
            return false;
        }
    }
    if (!admin.exec(QStringLiteral("DROP INDEX %1.events_data_path_idx")
                        .arg(QLatin1String(BenchContext::oursNoSearchIndexSchema)),
                    error))
        return false;
    if (!admin.exec(QStringLiteral("DROP INDEX %1.events_correlation_idx, %1.events_causation_idx")
                        .arg(QLatin1String(BenchContext::oursNoRelatedIndexSchema)),
                    error))
        return false;
    if (!admin.exec(QStringLiteral("DROP INDEX %1.streams_recency_idx")
                        .arg(QLatin1String(BenchContext::oursNoRecencyIndexSchema)),
                    error))
        return false;
    if (!admin.exec(QStringLiteral("DROP INDEX %1.events_type_idx, %1.events_data_path_idx, "
                                   "%1.events_correlation_idx, %1.events_causation_idx, "
                                   "%1.streams_recency_idx")
                        .arg(QLatin1String(BenchContext::oursCoreIndexesSchema)),
                    error))
        return false;
    if (!installV4Append(admin, error))
        return false;
    return m_context.readData().setUp(m_context.options(), error);
}

void BenchRunner::tearDown()
{
    m_context.readData().tearDown();
    PgConnection admin(m_context.conninfo());
    if (!admin.isOk())
        return;
    for (const char *s : BenchContext::schemas())
        admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(QLatin1String(s)));
}

QList<ScenarioResult> BenchRunner::run(const QString &name)
{
    if (const Scenario *scenario = ScenarioTable::find(name)) {
        QList<ScenarioResult> rows = runRounds(*scenario);
        // A standby changes what the server does for every commit (WAL sent, sequencer steps
        // flushed): it lives only as long as the scenario that needs it.
        m_context.dropStandby();
        return rows;
    }
    ScenarioResult r;
    r.name = name;
    r.error = QStringLiteral("unknown scenario");
    return {r};
}

ScalePoint BenchRunner::runScale(qint64 events)
{
    ScalePoint point;
    point.events = events;
    ReadDataSet::LoadTimes times;
    if (QString error; !m_context.readData().loadOnServer(m_context, events, &times, &error)) {
        for (const Scenario &scenario : ScenarioTable::scale())
            point.results += failed(scenario, QStringLiteral("loading: ") + error);
        return point;
    }
    point.events = m_context.readData().events();
    point.oursLoadSeconds = times.ours;
    point.rawLoadSeconds = times.raw;
    for (const Scenario &scenario : ScenarioTable::scale()) {
        m_context.progress(QStringLiteral("%1 at %2 events:").arg(scenario.name).arg(point.events));
        point.results += runRounds(scenario);
    }
    return point;
}

QList<ScenarioResult> BenchRunner::runRounds(const Scenario &scenario)
{
    if (QString error; scenario.prepare && !scenario.prepare(m_context, &error))
        return failed(scenario, error);
    Samples samples;
    // The WAL of each variant's rounds, from snapshots on a connection of its own.
    std::map<Variant, WalFigures> wal;
    std::unique_ptr<PgConnection> walProbe;
    if (scenario.wal)
        walProbe = std::make_unique<PgConnection>(m_context.conninfo());
    const int rounds = m_context.config().*scenario.rounds;
    for (int round = 1; round <= rounds; ++round) {
        for (const auto &[variant, measure] : scenario.variants) {
            qint64 events = 0;
            const Round r {.context = m_context,
                           .scenario = scenario.name,
                           .number = round,
                           .variant = variant,
                           .samples = samples.valuesFor(variant),
                           .missing = samples.missingFor(variant),
                           .events = &events};
            QString error;
            std::optional<WalCounters> before;
            if (walProbe && walProbe->isOk())
                before = WalCounters::snapshot(*walProbe, &error);
            if (!measure(r, &error))
                return failed(scenario, QStringLiteral("%1: %2").arg(variantName(variant), error));
            samples.addEvents(variant, events);
            if (before) {
                // The round's connections are closed; their backends report as they exit.
                QThread::msleep(300);
                if (auto after = WalCounters::snapshot(*walProbe, &error)) {
                    wal[variant].add(
                        *after - *before, events,
                        std::chrono::duration<double>(m_context.config().appendDuration).count());
                }
            }
            if (!scenario.roundProgress)
                m_context.progress(
                    QStringLiteral("%1 round %2 %3: %4 %5")
                        .arg(scenario.name)
                        .arg(round)
                        .arg(variantName(variant))
                        .arg(Report::formatValue(r.samples->last(), scenario.unit), scenario.unit));
        }
        if (scenario.roundProgress)
            m_context.progress(scenario.roundProgress(round, samples));
    }
    QList<ScenarioResult> results = scenario.summarize(m_context, scenario, samples);
    if (!wal.empty() && !results.isEmpty()) {
        QStringList parts;
        for (const auto &[variant, figures] : wal) {
            results.first().wal.append({variant, figures});
            parts << QStringLiteral("%1 %2").arg(variantName(variant), figures.perEventText());
        }
        QString &note = results.first().note;
        note += (note.isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("WAL per event: ") + parts.join(QStringLiteral("; "));
    }
    return results;
}

} // namespace bench
