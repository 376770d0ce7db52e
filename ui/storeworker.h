#pragma once

#include "storemetatypes.h"

#include <eventium/connectionoptions.h>
#include <eventium/error.h>
#include <eventium/store.h>
#include <eventium/types.h>

#include <QJsonValue>
#include <QLoggingCategory>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcUi)

class QThread;

namespace eventium {
class EmbeddedPostgres;
class Follower;
} // namespace eventium

namespace eventium::ui {

class StateWorker;
class StatsWorker;

// Where to connect: a configured server, or the embedded default.
struct ConnectionTarget
{
    bool embedded = false;
    ConnectionOptions options; // when not embedded
    // Where the browser reads (pages, searches, the live feed, statistics): a hot standby,
    // say (StoreSettings::readConnection); nullopt: `options`. Not with the embedded server.
    std::optional<ConnectionOptions> readOptions;
    QString schema = QStringLiteral("eventium");
};

// What a successful connection found out.
struct ConnectionInfo
{
    bool embedded = false;
    QString dataDir; // embedded only
    QString description; // for the status bar, password masked
    QString readDescription; // the read connection's, when there is one
    ConnectionOptions options; // what the worker connected with (never shown)
    QString schema;
    bool readOnly = false;
    QString readOnlyReason;
    QString serverVersion;
    int schemaVersion = 0;
    qint64 head = 0;
};

// A stream's state after a version, folded by its category's projection
// (toolkit::ProjectionRegistry), with what the event at that version changed, formatted in the
// worker's thread.
struct StateResult
{
    struct Change
    {
        QString kind; // "added", "removed", "changed"
        QString path;
        QString before; // compact JSON; empty when absent
        QString after;
    };
    QString stream;
    QString projection; // its name
    qint64 version = 0; // the version folded up to (0: the stream has no events)
    QByteArray state; // indented JSON text of the state after `version`
    QJsonValue stateValue; // the same, to go on from
    bool hasEvent = false; // `event` is the event at `version`
    RecordedEvent event;
    QList<Change> changes; // what `event` changed
    qint64 read = 0; // events folded for this answer
    qint64 snapshot = 0; // the snapshot's version the fold started from (0: none)
    // The version whose state the fold started from: a snapshot's, a state known before or a
    // checkpoint of an earlier fold (0: the projection's initial state).
    qint64 startedAfter = 0;
};

// Owns a Store (and, for the embedded default, the server) on a thread of its own. Every
// request method is safe to call from the UI thread: it returns a token at once and the
// answer arrives later through a queued signal carrying that token. Requests run one after
// another in the worker's thread; nothing ever blocks the caller.
class StoreWorker : public QObject
{
    Q_OBJECT
public:
    StoreWorker();
    ~StoreWorker() override;

    // Starts the worker's thread; call once from the owning thread.
    void start();
    // Closes the store (and stops an embedded server this worker started), then joins the
    // thread. Only for shutdown: it waits for the request in progress to finish.
    void shutdown();

    quint64 connectTo(const ConnectionTarget &target);
    quint64 listStreams(const StreamCursor &after, int limit, StreamOrder order,
                        const QString &prefix);
    quint64 readStream(const QString &stream, qint64 fromVersion, int limit);
    // Unfiltered: one page from `from`. Filtered: pages until something matches or the head
    // is reached (bounded in time), so a rare type does not need a round trip per window.
    // A search passes a Cancellation: cancel() (from any thread) cancels the statement on the
    // server and the request fails with StoreError::Kind::Cancelled.
    quint64 readAll(qint64 from, int limit, const GlobalFilter &filter = {},
                    const Cancellation &cancellation = Cancellation::none());
    // One stream's events that match `filter` from a version (Store::searchStream):
    // pages until something matches or the stream's end (bounded in time); cancellable.
    quint64 searchStream(const QString &stream, qint64 from, int limit, const GlobalFilter &filter,
                         const Cancellation &cancellation);
    quint64 streamInfo(const QString &stream);
    // The event of `event`'s stream before it with its type (toolkit::previousOfType).
    quint64 previousOfType(const eventium::RecordedEvent &event);
    // The events related to an event (Store::related, at most `limit` a list); answered by
    // relatedFound (found false when readers no longer see the event).
    quint64 related(const QUuid &eventId, int limit);
    // Erases an event's data (Store::erase) and answers with the event as it is now.
    quint64 erase(const RecordedEvent &event);
    // Deletes a stream if it is still at `version` (Store::deleteStream), or hides its events
    // before `before` (Store::truncate); answered by streamChanged with what was done.
    quint64 deleteStream(const QString &stream, qint64 version, bool hard);
    quint64 truncateStream(const QString &stream, qint64 before);
    quint64 setStreamMetadata(const QString &stream, const StreamMetadata &metadata);
    // The first global position (or version of `stream`, when given) at or after `time`;
    // answered by timeFound with 0 when there is none.
    quint64 findTime(const QDateTime &time, const QString &stream = {});
    quint64 eventTypes();
    // Where each subscription stands (toolkit::Subscription::list); answered by
    // subscriptionsListed from the StatsWorker, like fetchStats(), so the periodic poll never
    // holds up page reads and searches (nor waits behind them).
    quint64 listSubscriptions();
    // Moves a subscription's checkpoint to `to` (GlobalPosition::end(): the head); answered by
    // checkpointMoved with the outcome (refused while a runner holds it).
    quint64 moveCheckpoint(const QString &name, GlobalPosition to);
    // The state of `stream` after `version` by its category's projection, from the start (or
    // a snapshot), or from `startState` known after `startAfter` when 0 < startAfter < version.
    // Answered by a StateWorker (a thread and connection of its own, opened on every connect),
    // so a long fold never holds back the requests above.
    // Answered by stateReady, with stateProgress after every page read; failed when there is no
    // projection, an event does not decode, or `cancellation` was cancelled (Cancelled).
    quint64 stateAt(const QString &stream, qint64 version, qint64 startAfter,
                    const QJsonValue &startState, const Cancellation &cancellation);
    // Events over time (Store::activity); answered by activityReady.
    quint64 activity(const ActivityQuery &query);
    quint64 append(const QString &stream, ExpectedVersion expected, const QList<NewEvent> &events);
    // Answered by a StatsWorker (a thread and connection of its own, opened on every
    // connect), so it never waits behind the requests above; a lost connection found there
    // switches this worker to reconnecting too.
    quint64 fetchStats();
    quint64 fillSampleData(int events, quint32 seed);
    // While the connection is lost: try again now instead of at the next scheduled retry.
    void retryNow();
    // The live feed again, from the head as the read connection has it now: after it stopped
    // because the server's history changed (liveHistoryRewritten). Answered by liveRestarted.
    quint64 followAgainFromHead();
    // Starts the embedded server again (after it stopped or crashed) and reconnects; answered
    // by embeddedRestarted or failed. Only for an embedded target.
    quint64 restartEmbedded();

    // The live feed: a Follower from the head at connect time; its batches are re-emitted
    // as liveEvents. Restarted on every (re)connect.
    bool isConnected() const { return m_connected.load(); }

    static quint64 nextToken();
    // Cancels a request's statement without making the caller wait: PQcancel connects to the
    // server to ask, which can take as long as connecting does (a host that does not answer).
    static void cancel(const Cancellation &cancellation);

signals:
    void progress(const QString &message);
    void connected(quint64 token, const eventium::ui::ConnectionInfo &info);
    void connectionStateChanged(bool connected, const QString &message);
    void streamsListed(quint64 token, const eventium::StreamPage &page);
    void streamRead(quint64 token, const QString &stream,
                    const QList<eventium::RecordedEvent> &events);
    void globalRead(quint64 token, const eventium::GlobalPage &page);
    void streamSearched(quint64 token, const QString &stream,
                        const eventium::StreamSearchPage &page);
    void streamInfoReady(quint64 token, const QString &stream, bool exists,
                         const eventium::StreamInfo &info);
    void eventTypesListed(quint64 token, const QStringList &types);
    void subscriptionsListed(quint64 token,
                             const QList<eventium::toolkit::SubscriptionStatus> &subscriptions);
    void checkpointMoved(quint64 token, const QString &name,
                         const eventium::toolkit::CheckpointMove &move);
    void stateProgress(quint64 token, qint64 reached);
    void stateReady(quint64 token, const eventium::ui::StateResult &result);
    void activityReady(quint64 token, const eventium::Activity &activity);
    // `found` false: `event` is the first of its type in its stream.
    void relatedFound(quint64 token, const QUuid &eventId, bool found,
                      const eventium::RelatedEvents &related);
    void previousFound(quint64 token, const eventium::RecordedEvent &event, bool found,
                       const eventium::RecordedEvent &previous);
    void timeFound(quint64 token, const QString &stream, const QDateTime &time, qint64 found);
    void appended(quint64 token, const eventium::AppendResult &result);
    void erased(quint64 token, const eventium::EraseResult &result,
                const eventium::RecordedEvent &event);
    // A stream was deleted or truncated; `message` says what happened, in words.
    void streamChanged(quint64 token, const QString &stream, const QString &message);
    void statsReady(quint64 token, const eventium::StoreStats &stats);
    void sampleDataFilled(quint64 token, int events);
    void embeddedRestarted(quint64 token);
    void failed(quint64 token, const eventium::StoreError &error);

    void liveEvents(const QList<eventium::RecordedEvent> &events);
    void liveCaughtUp(eventium::GlobalPosition head);
    // The live feed stopped: the server's history is not the one it delivered (a failover
    // lost commits it had shown; Follower, StoreError::Kind::HistoryRewritten). `message`
    // says where it differs.
    void liveHistoryRewritten(const QString &message);
    // followAgainFromHead()'s answer: the feed goes on after `head`.
    void liveRestarted(quint64 token, qint64 head);
    // Whether the read connection's server is a primary or a standby, and its lag; with
    // every statsReady (the same token).
    void replicationReady(quint64 token, const eventium::ReplicationStatus &status);

private:
    template<typename F> quint64 post(F &&work);
    void doConnect(quint64 token, const ConnectionTarget &target);
    // The role's capabilities in the store's schema, after creating or upgrading the schema
    // when it is older than this library.
    Result<Capabilities> migrateAndProbe(Store &store);
    void closeStore();
    void startFollower(qint64 from);
    // Notes a failed call: a lost connection switches to reconnecting.
    void noteError(quint64 token, const StoreError &error);
    void setConnected(bool connected, const QString &message);
    void retryConnection();
    bool requireStore(quint64 token);

    std::unique_ptr<QThread> m_thread;
    // Owned by the worker's thread.
    std::unique_ptr<EmbeddedPostgres> m_embedded;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Follower> m_follower;
    ConnectionTarget m_target;
    QTimer *m_retryTimer = nullptr;
    int m_retryDelayMs = 250;
    std::atomic<bool> m_connected {false};
    // Created and started/stopped by the owning thread; open/close are queued to it.
    std::unique_ptr<StatsWorker> m_stats;
    std::unique_ptr<StateWorker> m_state;
};

} // namespace eventium::ui

Q_DECLARE_METATYPE(eventium::ui::ConnectionInfo)
Q_DECLARE_METATYPE(eventium::ui::StateResult)
