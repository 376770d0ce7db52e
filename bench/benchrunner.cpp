#include "benchrunner.h"

#include "pgconnection.h"
#include "report.h"
#include "samples.h"
#include "scenariotable.h"
#include "workload.h"

#include <eventium/store.h>

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
    for (const char *s : {BenchContext::oursWriteSchema, BenchContext::oursReadSchema,
                          BenchContext::oursNoSearchIndexSchema, BenchContext::rawSchema,
                          BenchContext::lockSchema}) {
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
    for (const char *schema :
         {BenchContext::oursWriteSchema, BenchContext::oursNoSearchIndexSchema}) {
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
    return m_context.readData().setUp(m_context.options(), error);
}

void BenchRunner::tearDown()
{
    m_context.readData().tearDown();
    PgConnection admin(m_context.conninfo());
    if (!admin.isOk())
        return;
    for (const char *s :
         {BenchContext::oursWriteSchema, BenchContext::oursReadSchema,
          BenchContext::oursNoSearchIndexSchema, BenchContext::rawSchema, BenchContext::lockSchema})
        admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(QLatin1String(s)));
}

QList<ScenarioResult> BenchRunner::run(const QString &name)
{
    if (const Scenario *scenario = ScenarioTable::find(name))
        return runRounds(*scenario);
    ScenarioResult r;
    r.name = name;
    r.error = QStringLiteral("unknown scenario");
    return {r};
}

QList<ScenarioResult> BenchRunner::runRounds(const Scenario &scenario)
{
    if (QString error; scenario.prepare && !scenario.prepare(m_context, &error))
        return failed(scenario, error);
    Samples samples;
    const int rounds = m_context.config().*scenario.rounds;
    for (int round = 1; round <= rounds; ++round) {
        for (const auto &[variant, measure] : scenario.variants) {
            const Round r {.context = m_context,
                           .scenario = scenario.name,
                           .number = round,
                           .variant = variant,
                           .samples = samples.valuesFor(variant),
                           .missing = samples.missingFor(variant)};
            QString error;
            if (!measure(r, &error))
                return failed(scenario, QStringLiteral("%1: %2").arg(variantName(variant), error));
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
    return scenario.summarize(m_context, scenario, samples);
}

} // namespace bench
