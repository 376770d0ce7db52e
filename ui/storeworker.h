#pragma once

#include "storemetatypes.h"

#include <eventium/connectionoptions.h>
#include <eventium/error.h>
#include <eventium/store.h>
#include <eventium/types.h>

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

class StatsWorker;

// Where to connect: a configured server, or the embedded default.
struct ConnectionTarget
{
    bool embedded = false;
    ConnectionOptions options; // when not embedded
    QString schema = QStringLiteral("eventium");
};

// What a successful connection found out.
struct ConnectionInfo
{
    bool embedded = false;
    QString dataDir; // embedded only
    QString description; // for the status bar, password masked
    QString schema;
    bool readOnly = false;
    QString readOnlyReason;
    QString serverVersion;
    int schemaVersion = 0;
    qint64 head = 0;
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
    void activityReady(quint64 token, const eventium::Activity &activity);
    // `found` false: `event` is the first of its type in its stream.
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
};

} // namespace eventium::ui

Q_DECLARE_METATYPE(eventium::ui::ConnectionInfo)
