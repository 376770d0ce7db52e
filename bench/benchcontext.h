#pragma once

#include "benchconfig.h"
#include "readdataset.h"
#include "variant.h"

#include <eventium/connectionoptions.h>

#include <QString>

#include <memory>

namespace eventium {
class EmbeddedPostgres;
class Store;
} // namespace eventium

namespace bench {

// What every scenario shares: the sizes of the run, the server, the schema of each variant
// (all in the same database) and the read data set.
class BenchContext
{
public:
    BenchContext(BenchConfig config, eventium::ConnectionOptions options);
    ~BenchContext();
    BenchContext(const BenchContext &) = delete;
    BenchContext &operator=(const BenchContext &) = delete;

    static constexpr const char *oursWriteSchema = "bench_ours_w";
    static constexpr const char *oursReadSchema = "bench_ours_r";
    static constexpr const char *rawSchema = "bench_raw";
    static constexpr const char *lockSchema = "bench_lock";
    // The peer design (PeerWriter): Message DB's messages table and write_message().
    static constexpr const char *peerSchema = "bench_peer";
    // The store's schema without the payload's search index (events_data_path_idx), for
    // measuring what that index costs appends.
    static constexpr const char *oursNoSearchIndexSchema = "bench_ours_nosearch";
    // The store's schema without the indexes of related events (events_correlation_idx,
    // events_causation_idx), for measuring what they cost appends.
    static constexpr const char *oursNoRelatedIndexSchema = "bench_ours_norelated";
    // The store's schema without the streams' recency index (streams_recency_idx), for
    // measuring what the non-HOT update of a stream's row at every append costs.
    static constexpr const char *oursNoRecencyIndexSchema = "bench_ours_norecency";
    // The store's schema without any index that only serves a feature beyond the design's
    // core (the type, search, related-events and recency indexes): what is left is what
    // idempotency, optimistic concurrency and the global order need. It bounds what any
    // tuning of those features could give appends.
    static constexpr const char *oursCoreIndexesSchema = "bench_ours_core";
    // The store's schema with version 4's append_events() (before streams could be deleted,
    // truncated or limited), for measuring what the checks of a stream's life cost appends.
    static constexpr const char *oursV4AppendSchema = "bench_ours_v4append";
    // Every schema of the run, dropped before and after it.
    static QList<const char *> schemas();
    // The schema of a baseline: raw's, lock's or peer's.
    static QString baselineSchema(Variant variant);

    const BenchConfig &config() const { return m_config; }
    const eventium::ConnectionOptions &options() const { return m_options; }
    QString conninfo() const;
    // A store on the write schema with its sequencer thread, as an application has it. It
    // lives only while ours is measured, so that its background work never runs during a
    // baseline.
    std::unique_ptr<eventium::Store> makeWriteStore(const char *schema = oursWriteSchema) const;
    // The private server the run started (nullptr with --db): a standby can be made of it.
    void setServer(eventium::EmbeddedPostgres *server) { m_server = server; }
    // A hot standby of the private server, made and started on first use (it replays
    // everything the run writes from then on); false with a message, also with --db.
    bool ensureStandby(QString *error);
    // Through the standby's socket (after ensureStandby()).
    eventium::ConnectionOptions standbyOptions() const;
    // Stops the standby and removes it (its WAL sender goes with it).
    void dropStandby();
    ReadDataSet &readData() { return m_readData; }
    const ReadDataSet &readData() const { return m_readData; }
    // A line on stderr, indented under the scenario's name.
    void progress(const QString &line) const;

private:
    BenchConfig m_config;
    eventium::ConnectionOptions m_options;
    ReadDataSet m_readData;
    eventium::EmbeddedPostgres *m_server = nullptr;
    std::unique_ptr<eventium::EmbeddedPostgres> m_standby;
};

} // namespace bench
