#include "scenariotable.h"

#include "activityscenarios.h"
#include "appendscenarios.h"
#include "benchcontext.h"
#include "lifescenarios.h"
#include "livelatencyscenario.h"
#include "missedscenario.h"
#include "readscenarios.h"
#ifdef EVENTIUM_BENCH_UI
#include "uistallscenario.h"
#endif

#include <algorithm>

namespace bench {

namespace {

const QString eventsPerSecond = QStringLiteral("events/s");
const QString milliseconds = QStringLiteral("ms");

int one(const BenchConfig &)
{
    return 1;
}

int concurrentWriters(const BenchConfig &config)
{
    return config.concurrentWriters;
}

int batchWriters(const BenchConfig &config)
{
    return config.batchWriters;
}

int batchSize(const BenchConfig &config)
{
    return config.batchSize;
}

// Whether an append scenario runs the peer design too (single events only: it writes one
// message per call).
enum class Peer { No, Yes };

// An append scenario: ours, raw and lock (and peer), `writers` writers, `batch` events per
// append.
Scenario appends(const QString &name, const QString &description, AppendScenarios::Size writers,
                 AppendScenarios::Size batch, Peer peer = Peer::No)
{
    Scenario s {.name = name,
                .description = description,
                .unit = eventsPerSecond,
                .rounds = &BenchConfig::rounds,
                .variants = {{Variant::Ours, AppendScenarios::ours(writers, batch)},
                             {Variant::Raw, AppendScenarios::raw(writers, batch)},
                             {Variant::Lock, AppendScenarios::lock(writers, batch)}},
                .summarize = &AppendScenarios::summarize,
                .wal = true};
    if (peer == Peer::Yes)
        s.variants.append({Variant::Peer, AppendScenarios::peer(writers, batch)});
    return s;
}

// What a part of the store costs appends: ours as shipped ("ours") against ours on a schema
// without that part ("raw" in this scenario's rows: BenchContext::oursNoSearchIndexSchema,
// oursV4AppendSchema); lock n/a.
Scenario partCost(const QString &name, const QString &description, const char *schemaWithout,
                  AppendScenarios::Size writers, AppendScenarios::Size batch)
{
    return {.name = name,
            .description = description,
            .unit = eventsPerSecond,
            .rounds = &BenchConfig::rounds,
            .variants = {{Variant::Ours, AppendScenarios::ours(writers, batch)},
                         {Variant::Raw, AppendScenarios::oursOn(schemaWithout, writers, batch)}},
            .summarize = &AppendScenarios::summarize,
            .wal = true};
}

// A filtered global read (ReadScenarios::Filter): ours and raw; lock n/a (raw's protocol).
Scenario filtered(const QString &name, const QString &description, ReadScenarios::Filter filter)
{
    return {.name = name,
            .description = description,
            .unit = eventsPerSecond,
            .rounds = &BenchConfig::readRounds,
            .variants = {{Variant::Ours, ReadScenarios::filteredOurs(filter)},
                         {Variant::Raw, ReadScenarios::filteredLibpq(filter)}},
            .summarize = &ReadScenarios::summarizeFiltered,
            .prepare = &ReadScenarios::prepare};
}

} // namespace

const QList<Scenario> &ScenarioTable::all()
{
    static const QList<Scenario> table {
        appends(QStringLiteral("append_1w"),
                QStringLiteral("single-event appends with an exact expected version, 1 writer"),
                &one, &one, Peer::Yes),
        appends(QStringLiteral("append_8w"),
                QStringLiteral("single-event appends, 8 writers with their own connections and "
                               "streams (ours: threads on one Store)"),
                &concurrentWriters, &one, Peer::Yes),
        appends(QStringLiteral("append_batch_1w"),
                QStringLiteral("100 events per append, 1 writer"), &one, &batchSize),
        appends(QStringLiteral("append_batch_4w"),
                QStringLiteral("100 events per append, 4 writers"), &batchWriters, &batchSize),
        partCost(QStringLiteral("search_index_1w"),
                 QStringLiteral("single-event appends, 1 writer: ours with the payload's "
                                "search index (ours) against ours without it (raw)"),
                 BenchContext::oursNoSearchIndexSchema, &one, &one),
        partCost(QStringLiteral("search_index_batch_1w"),
                 QStringLiteral("100 events per append, 1 writer: ours with the payload's "
                                "search index (ours) against ours without it (raw)"),
                 BenchContext::oursNoSearchIndexSchema, &one, &batchSize),
        partCost(QStringLiteral("related_index_1w"),
                 QStringLiteral("single-event appends, 1 writer: ours with the indexes of "
                                "correlation and causation ids (ours) against ours without "
                                "them (raw)"),
                 BenchContext::oursNoRelatedIndexSchema, &one, &one),
        partCost(QStringLiteral("related_index_batch_1w"),
                 QStringLiteral("100 events per append, 1 writer: ours with the indexes of "
                                "correlation and causation ids (ours) against ours without "
                                "them (raw)"),
                 BenchContext::oursNoRelatedIndexSchema, &one, &batchSize),
        partCost(QStringLiteral("recency_index_1w"),
                 QStringLiteral("single-event appends, 1 writer: ours (the streams row's update "
                                "moves it in streams_recency_idx, so it is not HOT) against ours "
                                "without that index (raw)"),
                 BenchContext::oursNoRecencyIndexSchema, &one, &one),
        partCost(QStringLiteral("recency_index_8w"),
                 QStringLiteral("single-event appends, 8 writers: ours against ours without "
                                "streams_recency_idx (raw)"),
                 BenchContext::oursNoRecencyIndexSchema, &concurrentWriters, &one),
        partCost(QStringLiteral("core_indexes_1w"),
                 QStringLiteral("single-event appends, 1 writer: ours against ours with only the "
                                "indexes idempotency, optimistic concurrency and the global "
                                "order need (raw): no type, search, related-events or recency "
                                "index"),
                 BenchContext::oursCoreIndexesSchema, &one, &one),
        partCost(QStringLiteral("core_indexes_8w"),
                 QStringLiteral("single-event appends, 8 writers: ours against ours with only "
                                "the core indexes (raw)"),
                 BenchContext::oursCoreIndexesSchema, &concurrentWriters, &one),
        partCost(QStringLiteral("core_indexes_batch_1w"),
                 QStringLiteral("100 events per append, 1 writer: ours against ours with only "
                                "the core indexes (raw)"),
                 BenchContext::oursCoreIndexesSchema, &one, &batchSize),
        partCost(QStringLiteral("core_indexes_batch_4w"),
                 QStringLiteral("100 events per append, 4 writers: ours against ours with only "
                                "the core indexes (raw)"),
                 BenchContext::oursCoreIndexesSchema, &batchWriters, &batchSize),
        partCost(QStringLiteral("stream_life_1w"),
                 QStringLiteral("single-event appends, 1 writer: ours (append_events() with the "
                                "checks for deleted streams) against ours with version 4's "
                                "append_events() (raw)"),
                 BenchContext::oursV4AppendSchema, &one, &one),
        partCost(QStringLiteral("stream_life_batch_1w"),
                 QStringLiteral("100 events per append, 1 writer: ours against ours with "
                                "version 4's append_events() (raw)"),
                 BenchContext::oursV4AppendSchema, &one, &batchSize),
        partCost(QStringLiteral("stream_life_8w"),
                 QStringLiteral("single-event appends, 8 writers: ours against ours with "
                                "version 4's append_events() (raw)"),
                 BenchContext::oursV4AppendSchema, &concurrentWriters, &one),
        {.name = QStringLiteral("scavenge"),
         .description = QStringLiteral("rows removed per second: Store::scavenge() of a stream "
                                       "truncated past its end (ours) against one DELETE of "
                                       "the same rows (raw); lock n/a"),
         .unit = eventsPerSecond,
         .rounds = &BenchConfig::lifeRounds,
         .variants = {{Variant::Ours, LifeScenarios::scavengeOurs()},
                      {Variant::Raw, LifeScenarios::scavengeRaw()}},
         .summarize = &AppendScenarios::summarize},
        {.name = QStringLiteral("erase"),
         .description = QStringLiteral("events erased per second, one at a time: Store::erase() "
                                       "(ours) against an UPDATE of data and metadata (raw); "
                                       "lock n/a"),
         .unit = eventsPerSecond,
         .rounds = &BenchConfig::lifeRounds,
         .variants
         = {{Variant::Ours, LifeScenarios::eraseOurs()}, {Variant::Raw, LifeScenarios::eraseRaw()}},
         .summarize = &AppendScenarios::summarize},
        {.name = QStringLiteral("read_global"),
         .description = QStringLiteral("catch-up read of the read data set in pages (ours: "
                                       "Store::readAll)"),
         .unit = eventsPerSecond,
         .rounds = &BenchConfig::readRounds,
         .variants = {{Variant::Ours, &ReadScenarios::readGlobalOurs},
                      {Variant::Raw, &ReadScenarios::readGlobalLibpq},
                      {Variant::Lock, &ReadScenarios::readGlobalLibpq}},
         .summarize = &ReadScenarios::summarizeGlobal,
         .prepare = &ReadScenarios::prepare},
        filtered(QStringLiteral("read_filtered_type"),
                 QStringLiteral("read_global's catch-up of the events of one type (a quarter)"),
                 ReadScenarios::Filter::Type),
        filtered(QStringLiteral("read_filtered_prefix"),
                 QStringLiteral("read_global's catch-up of the streams named order-1..."),
                 ReadScenarios::Filter::Prefix),
        filtered(QStringLiteral("read_filtered_stream"),
                 QStringLiteral("read_global's catch-up of one stream's events"),
                 ReadScenarios::Filter::Stream),
        {.name = QStringLiteral("read_stream"),
         .description = QStringLiteral("reads of whole streams picked at random from the read "
                                       "data set (ours: Store::readStream)"),
         .unit = milliseconds,
         .rounds = &BenchConfig::readRounds,
         .variants = {{Variant::Ours, &ReadScenarios::readStreamOurs},
                      {Variant::Raw, &ReadScenarios::readStreamLibpq},
                      {Variant::Lock, &ReadScenarios::readStreamLibpq}},
         .summarize = &ReadScenarios::summarizeStream,
         .prepare = &ReadScenarios::prepare,
         .roundProgress = &ReadScenarios::streamProgress},
        {.name = QStringLiteral("activity"),
         .description = QStringLiteral("events per bucket of time with their types, whole read "
                                       "data set, automatic width (ours: Store::activity; raw: "
                                       "the naive GROUP BY over every event)"),
         .unit = milliseconds,
         .rounds = &BenchConfig::readRounds,
         .variants = {{Variant::Ours, ActivityScenarios::ours(false)},
                      {Variant::Raw, ActivityScenarios::naive(false)}},
         .summarize = &ActivityScenarios::summarize,
         .prepare = &ReadScenarios::prepare},
        {.name = QStringLiteral("activity_stream"),
         .description = QStringLiteral("activity's query for one stream of the read data set"),
         .unit = milliseconds,
         .rounds = &BenchConfig::readRounds,
         .variants = {{Variant::Ours, ActivityScenarios::ours(true)},
                      {Variant::Raw, ActivityScenarios::naive(true)}},
         .summarize = &ActivityScenarios::summarize,
         .prepare = &ReadScenarios::prepare},
        {.name = QStringLiteral("live_latency"),
         .description = QStringLiteral("append acknowledged to event received by a Follower "
                                       "(ours) or a LISTENing connection (raw), under load; "
                                       "lock n/a"),
         .unit = milliseconds,
         .rows = LiveLatencyScenario::rows(),
         .rounds = &BenchConfig::latencyRounds,
         .variants = {{Variant::Ours, &LiveLatencyScenario::measureOurs},
                      {Variant::Raw, &LiveLatencyScenario::measureRaw}},
         .summarize = &LiveLatencyScenario::summarize,
         .roundProgress = &LiveLatencyScenario::progress},
        {.name = QStringLiteral("live_latency_loaded"),
         .description = QStringLiteral("live_latency under about half of append_8w's load: 8 "
                                       "writers of single events (target: ours p99 <= 50 ms)"),
         .unit = milliseconds,
         .rows = LiveLatencyScenario::loadedRows(),
         .rounds = &BenchConfig::latencyRounds,
         .variants = {{Variant::Ours, &LiveLatencyScenario::measureOursLoaded},
                      {Variant::Raw, &LiveLatencyScenario::measureRawLoaded}},
         .summarize = &LiveLatencyScenario::summarizeLoaded,
         .roundProgress = &LiveLatencyScenario::progress},
        {.name = QStringLiteral("peer_missed_8w"),
         .description = QStringLiteral("events a live reader of the global order never sees "
                                       "while 8 writers append single events as fast as they "
                                       "can: ours a Follower (must be 0), raw and peer a poll "
                                       "of position > last in a tight loop"),
         .unit = QStringLiteral("missed"),
         .rounds = &BenchConfig::missedRounds,
         .variants = {{Variant::Ours, &MissedScenario::measureOurs},
                      {Variant::Raw, &MissedScenario::measureRaw},
                      {Variant::Peer, &MissedScenario::measurePeer}},
         .summarize = &MissedScenario::summarize,
         .roundProgress = &MissedScenario::progress},
        {.name = QStringLiteral("live_latency_standby"),
         .description = QStringLiteral("live_latency read from a hot standby of the server: a "
                                       "Follower there (ours) against a 1 ms poll there, the "
                                       "replay lag (raw) (target: ours p99 within 50 ms of "
                                       "raw's)"),
         .unit = milliseconds,
         .rows = LiveLatencyScenario::standbyRows(),
         .rounds = &BenchConfig::latencyRounds,
         .variants = {{Variant::Ours, &LiveLatencyScenario::measureOursStandby},
                      {Variant::Raw, &LiveLatencyScenario::measureRawStandby}},
         .summarize = &LiveLatencyScenario::summarizeStandby,
         .prepare = &LiveLatencyScenario::prepareStandby,
         .roundProgress = &LiveLatencyScenario::progress},
#ifdef EVENTIUM_BENCH_UI
        {.name = QStringLiteral("ui_stall"),
         .description = QStringLiteral("the browser's longest UI-thread stall while big events "
                                       "are selected, scrolled and switched and 1 MB is pasted "
                                       "(ours), against the same with small events (raw)"),
         .unit = milliseconds,
         .rows = UiStallScenario::rows(),
         .rounds = &BenchConfig::stallRounds,
         .variants = {{Variant::Ours, &UiStallScenario::measureBig},
                      {Variant::Raw, &UiStallScenario::measureSmall}},
         .summarize = &UiStallScenario::summarize,
         .roundProgress = &UiStallScenario::progress},
#endif
    };
    return table;
}

const QList<Scenario> &ScenarioTable::scale()
{
    static const QList<Scenario> table {
        {.name = QStringLiteral("read_global"),
         .description = QStringLiteral("catch-up read of the read data set in pages (ours: "
                                       "Store::readAll)"),
         .unit = eventsPerSecond,
         .rounds = &BenchConfig::scaleReadRounds,
         .variants = {{Variant::Ours, &ReadScenarios::readGlobalOurs},
                      {Variant::Raw, &ReadScenarios::readGlobalLibpq}},
         .summarize = &ReadScenarios::summarizeGlobal},
        {.name = QStringLiteral("read_stream"),
         .description = QStringLiteral("reads of whole streams picked at random from the read "
                                       "data set (ours: Store::readStream)"),
         .unit = milliseconds,
         .rounds = &BenchConfig::scaleReadRounds,
         .variants = {{Variant::Ours, &ReadScenarios::readStreamOurs},
                      {Variant::Raw, &ReadScenarios::readStreamLibpq}},
         .summarize = &ReadScenarios::summarizeStream,
         .roundProgress = &ReadScenarios::streamProgress},
        {.name = QStringLiteral("append_8w"),
         .description = QStringLiteral("single-event appends, 8 writers, into the read data "
                                       "set's tables"),
         .unit = eventsPerSecond,
         .rounds = &BenchConfig::rounds,
         .variants
         = {{Variant::Ours,
             AppendScenarios::oursOn(BenchContext::oursReadSchema, &concurrentWriters, &one)},
            {Variant::Raw, AppendScenarios::rawOn("events_read", &concurrentWriters, &one)}},
         .summarize = &AppendScenarios::summarize,
         .wal = true},
    };
    return table;
}

const Scenario *ScenarioTable::find(const QString &name)
{
    const QList<Scenario> &table = all();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&name](const Scenario &s) { return s.name == name; });
    return it == table.end() ? nullptr : &*it;
}

QStringList ScenarioTable::names()
{
    QStringList out;
    for (const Scenario &s : all())
        out.append(s.name);
    return out;
}

} // namespace bench
