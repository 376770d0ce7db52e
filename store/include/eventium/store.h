#pragma once

#include "eventium/cancellation.h"
#include "eventium/connectionoptions.h"
#include "eventium/result.h"
#include "eventium/types.h"

#include <QLoggingCategory>

#include <chrono>
#include <memory>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace eventium {

// How the store's connections reach PostgreSQL (docs/scaling.md, "Poolers (PgBouncer)").
enum class PoolerMode {
    // Directly: each connection of the store is a server session of its own. Statements are
    // prepared once per connection and then run by name.
    Direct,
    // Through a pooler in session mode (PgBouncer's pool_mode = session): a connection keeps
    // its server session until it closes, so the store works as with Direct.
    Session,
    // Through a pooler in transaction mode (PgBouncer's pool_mode = transaction): each
    // transaction, and each statement outside one, may run in another server session, so the
    // store keeps nothing in a session: every statement is sent as the unnamed statement
    // (parse, bind and execute in one round trip, which the pooler keeps on one server
    // session). What needs a session of its own cannot work this way: a toolkit Subscription
    // runner (a session advisory lock, LISTEN) refuses such a store, and a Follower needs a
    // direct or session-mode connection for LISTEN (otherwise it only polls).
    Transaction,
};

// "direct", "session" or "transaction" (as the command line's --pooler and EVENTIUM_POOLER
// spell them, any case); nullopt for anything else.
std::optional<PoolerMode> parsePoolerMode(const QString &text);
QString poolerModeName(PoolerMode mode);

struct StoreSettings
{
    // The PostgreSQL schema that holds everything; letters, digits and '_' only.
    QString schema = QStringLiteral("eventium");
    int poolSize = 16;
    std::chrono::milliseconds acquireTimeout {30000};
    // Per event: data plus metadata, in bytes of JSON text.
    qint64 maxEventBytes = 8 * 1024 * 1024;
    int maxEventsPerAppend = 100000;
    // Run the sequencer in a thread of this process (woken by this process's appends and
    // every pollInterval). Any process may run it; only one step runs at a time.
    bool runSequencer = true;
    std::chrono::milliseconds sequencerPollInterval {250};
    // Retry an append once on a fresh connection when the connection was lost; safe because
    // the retry carries the same event ids (an idempotent retry).
    bool retryOnConnectionLoss = true;
    // How the connections reach the server. Left at Direct (or Session) behind a
    // transaction-mode pooler, the store finds out by itself when one of its prepared
    // statements is missing (SQLSTATE 26000) or its name already taken (42P05) in the server
    // session it lands in, and sends unnamed statements from then on (Store::poolerMode();
    // a warning, once). The statement that found it out is sent again unnamed when it ran
    // outside a transaction block (single-stream appends, most reads); inside one, the
    // transaction fails as Retryable (multi-stream appends, migrate() and related() run it
    // again by themselves). Say Transaction to start that way.
    PoolerMode pooler = PoolerMode::Direct;
    // A second connection for the read API (README, "Read replicas"): typically a hot
    // standby, or a pooler in front of several. nullopt: every call uses the Store's own
    // connection. When set, the Store keeps a second pool of up to poolSize connections for it,
    // and the calls listed at Store route there; appends, migrations, the sequencer and the
    // life of streams stay on the write connection.
    std::optional<ConnectionOptions> readConnection;
};

// Which of a Store's two connections a call uses (StoreSettings::readConnection; without
// one, both are the write connection).
enum class StoreConnection { Write, Read };

struct MultiAppendResult
{
    // False when any stream's expectation failed: then nothing was written, and the results
    // with isConflict() say which streams and their actual versions.
    bool committed = false;
    QList<AppendResult> results; // one per StreamAppend, in the order given
};

struct GlobalPage
{
    QList<RecordedEvent> events;
    GlobalPosition next; // where to continue reading
    GlobalPosition head; // the last numbered position when this page was read
};

struct SequencerStep
{
    qint64 numbered = 0; // -1: another step held the cursor
    GlobalPosition head;
    bool pending = false; // events written but not yet numbered remain
};

// A PostgreSQL event store. Thread safe: every call borrows a pooled connection of the
// calling thread. Expected outcomes (a wrong expected version) are typed results; failures
// are StoreErrors carrying their SQLSTATE.
//
// Reads and writes can go to different servers (StoreSettings::readConnection):
//  * the read connection: readStream, searchStream, readAll, readAllBackward, positionAt,
//    versionAt, activity, readEvent, related, readCorrelated, erasure, listStreams,
//    streamInfo, headPosition, stats, eventTypes, and replication() by default. On a hot
//    standby these see what it has replayed so far: not, at once, what this Store has just
//    appended (no read-your-writes). Each is one read-only statement, or a read-only
//    transaction with LOCAL settings (related), so a hot standby runs them all.
//  * the write connection: migrate, schemaVersion, capabilities, ping (both ask either with
//    an argument), append, appendMulti, erase, deleteStream, truncate, setStreamMetadata,
//    scavenge, sequenceStep, sequenceNow (whose head is the writer's, for read-your-writes
//    after an append), the sequencer thread, and the toolkit's own statements (snapshots,
//    subscriptions' checkpoints).
// A program that reads to decide what to append (a command handler reading a stream for an
// exact expected version) wants its reads on the writer: give it a Store without a read
// connection. A Follower takes the connection it reads from itself: pass it
// readConnectionOptions().
class Store
{
public:
    Store(ConnectionOptions options, StoreSettings settings = {});
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    // Creates or upgrades the schema; idempotent and safe when several processes call it
    // at once. Returns the schema version.
    Result<int> migrate();
    // The schema version in the database (0 when there is none), on either connection (a
    // standby has the primary's once it has replayed the migration).
    Result<int> schemaVersion(StoreConnection on = StoreConnection::Write);
    // The newest schema version this library knows.
    static int latestSchemaVersion();
    // A round trip to the server of either connection.
    Result<Done> ping(StoreConnection on = StoreConnection::Write);
    // The server, the role, the schema version and whether the role can append.
    Result<Capabilities> capabilities();
    // Opens one connection with these options (no pool, no schema needed), asks the server
    // who and where it is, and closes it. For "test this connection" buttons.
    static Result<ServerInfo> testConnection(const ConnectionOptions &options);

    Result<AppendResult> append(const StreamName &stream, ExpectedVersion expected,
                                const QList<NewEvent> &events);
    // All streams or none; streams are locked in name order, so concurrent multi-stream
    // appends cannot deadlock each other.
    Result<MultiAppendResult> appendMulti(const QList<StreamAppend> &appends);

    // Reads return at most `limit` events, 1 to 100,000 (more is refused with InvalidInput):
    // page with the version or position after the last event returned.
    //
    // Events of one stream from a version (inclusive), forwards or backwards. Backwards from
    // StreamVersion::end() starts at the newest event; backwards from 0 returns nothing.
    // Only the events readers see: none of a soft-deleted stream (streamInfo() tells it from
    // one that does not exist); a stream deleted for good is StreamDeleted.
    Result<QList<RecordedEvent>> readStream(const StreamName &stream, StreamVersion from,
                                            Direction direction = Direction::Forward,
                                            int limit = 1000);
    // The events of one stream that match `filter`'s search conditions (types, times,
    // containment, expression, text; its stream conditions are about other streams and are
    // refused), in version order from `from` (inclusive). Like a filtered global read it
    // looks at a bounded window of versions per call (at least 65,536) and says where to go
    // on: StreamSearchPage::next, past `last` once the whole stream has been searched.
    // Cancellable as the global reads are.
    Result<StreamSearchPage> searchStream(const StreamName &stream, StreamVersion from,
                                          int limit = 1000, const GlobalFilter &filter = {},
                                          const Cancellation &cancellation = Cancellation::none());
    // The global sequence from a position (inclusive), in position order.
    //
    // Both global reads can be stopped while they run: cancel() on a copy of `cancellation`
    // (from any thread) cancels the statement on the server, and the read returns
    // StoreError::Kind::Cancelled (at once, without sending anything, when the token was
    // cancelled before). The default, Cancellation::none(), cannot be cancelled.
    Result<GlobalPage> readAll(GlobalPosition from, int limit = 1000,
                               const GlobalFilter &filter = {},
                               const Cancellation &cancellation = Cancellation::none());
    // The global sequence backwards from a position (inclusive; GlobalPosition::end() or any
    // position past the head: from the head), newest first; from 0, nothing. `next` is where
    // to continue (0 when the start is reached).
    Result<GlobalPage> readAllBackward(GlobalPosition from = GlobalPosition::end(),
                                       int limit = 1000, const GlobalFilter &filter = {},
                                       const Cancellation &cancellation = Cancellation::none());

    // Where to start reading to see what happened from a moment on. An invalid time is
    // InvalidInput.
    //
    // The first numbered position whose event was created at or after `time`; nullopt when
    // there is none. A binary search over positions (about 20 lookups by the position index,
    // one statement): exact where creation times rise with positions. They nearly do:
    // created_at is the clock when the event was inserted and positions follow commits, so
    // events of transactions that overlapped can interleave around `time` by up to the span
    // of such a transaction.
    Result<std::optional<GlobalPosition>> positionAt(const QDateTime &time);
    // The first version of `stream` created at or after `time`; nullopt when there is none or
    // the stream does not exist. A binary search over the stream's versions (its appends are
    // serialised, so their times rise with versions).
    Result<std::optional<StreamVersion>> versionAt(const StreamName &stream, const QDateTime &time);

    // How many events were written over time, in buckets (ActivityQuery), with the most
    // frequent types of each. It never reads every event: positions are dense, so a bucket's
    // total is the difference of the positions found at its bounds (a binary search per
    // bound, as positionAt(), all bounds in one statement) and exact. The types are counted
    // exactly in a bucket of at most 5,000 events (50,000 events a call at most, the smallest
    // buckets first); in a larger one they are estimated from up to 500 evenly spaced events
    // (20,000 in all, at least 32 a bucket), scaled to the exact total
    // (ActivityBucket::estimated).
    // The whole store counts every numbered position: events hidden since (deleted or
    // truncated streams) still count, as their positions stay taken; unnumbered events do
    // not yet. A stream counts the events readers see: from its first visible version (after
    // a truncation, deletion, max count or max age). A stream that does not exist has no
    // buckets. More than 10,000 buckets is InvalidInput.
    Result<Activity> activity(const ActivityQuery &query);

    // Erases an event's data (a person's right to be forgotten): its payload becomes {} and
    // its metadata empty; its id, stream, version, type, time and position stay, so the stream
    // and the global order are as they were, and RecordedEvent::erased says when. Who (`by`;
    // empty: the database role) and why are recorded (erasure()). Erasing again changes
    // nothing (AlreadyErased). The old row version stays in the table until VACUUM, and in
    // WAL, backups and replicas as long as they keep it (README).
    Result<EraseResult> erase(const QUuid &eventId, const QString &by = {},
                              const QString &reason = {});
    // The event with this id, as reads give it (its stream's name and its position, 0 while
    // unnumbered); nullopt when no event has the id or readers no longer see it (deleted,
    // truncated, scavenged).
    Result<std::optional<RecordedEvent>> readEvent(const QUuid &eventId);
    // The events related to this one: its correlation and its causation tree (RelatedEvents),
    // each list at most `limit` (1 to 100,000) long, through the indexes on the metadata keys
    // (never a scan). Only what readers see: nullopt when readers do not see the event;
    // events they no longer see are left out of both lists (in the tree, what such an event
    // caused hangs from its nearest cause readers see).
    Result<std::optional<RelatedEvents>> related(const QUuid &eventId, int limit = 1000);
    // The events whose correlation id is `correlationId`, in global order (not yet numbered
    // last): at most `limit`, the first ones written. An empty id is InvalidInput.
    Result<CorrelatedEvents> readCorrelated(const QString &correlationId, int limit = 1000);
    // Who erased an event's data, when and why; nullopt when it was not erased.
    Result<std::optional<Erasure>> erasure(const QUuid &eventId);

    // The life of a stream (README, "Deleting, truncating, retaining"). What readers no
    // longer see keeps its rows and positions until scavenge() removes the rows; positions
    // stay taken, so the global sequence never changes: global reads and followers skip
    // hidden events (a page may hold fewer events than asked; `next` goes on past them).
    //
    // Deletes a stream if its version meets `expected` (a soft-deleted stream is "no
    // stream", or its last version). Soft: hidden and out of the listings until the next
    // append brings it back; hard: a tombstone, the name is never written again (also for a
    // stream that did not exist). The stream's snapshots go with it.
    Result<DeleteResult> deleteStream(const StreamName &stream,
                                      ExpectedVersion expected = ExpectedVersion::any(),
                                      DeleteMode mode = DeleteMode::Soft);
    // Hides the stream's events before version `before` (1 or more; past the end, every event
    // so far). Never moves back. The first version readers see now; nullopt when the stream
    // does not exist or is soft-deleted; StreamDeleted when it is deleted for good.
    Result<std::optional<StreamVersion>> truncate(const StreamName &stream, StreamVersion before);
    // Sets (replaces) the stream's max count and max age; false when there is no such stream.
    Result<bool> setStreamMetadata(const StreamName &stream, const StreamMetadata &metadata);
    // Removes the rows of events no reader sees any more (deleted, truncated, over a max count
    // or age), in batches of at most `batchSize` rows, each its own short transaction (an
    // append to the same stream waits for one batch at most). Only numbered events go; their
    // positions stay taken. Safe to run any time, from many processes, and to interrupt.
    Result<ScavengeResult> scavenge(int batchSize = 10000,
                                    const Cancellation &cancellation = Cancellation::none());

    Result<StreamPage> listStreams(const StreamCursor &after = {}, int limit = 100,
                                   StreamOrder order = StreamOrder::ByName,
                                   const QString &prefix = {});
    // nullopt when the stream does not exist; a deleted stream is there, isDeleted().
    // (listStreams() leaves deleted streams out.)
    Result<std::optional<StreamInfo>> streamInfo(const StreamName &stream);
    // The last numbered position, as the read connection sees it (the head of what reads
    // return; sequenceNow() gives the writer's).
    Result<GlobalPosition> headPosition();
    // Whether the server of a connection (by default the read one: what reads see) is a
    // primary or a hot standby, and a standby's replay lag.
    Result<ReplicationStatus> replication(StoreConnection of = StoreConnection::Read);
    // Whether the server still has the history a reader saw (after a failover, a standby that
    // had not received every commit has not): the event last seen is still at its position
    // (an event hidden since keeps its position, so only another event there counts), and a
    // primary's head is not behind what was read. A standby behind it answers NotYet.
    Result<HistoryCheck> checkHistory(const HistoryMark &seen);
    Result<StoreStats> stats();
    // The event types that exist, in order, at most `limit` (1 to 100,000): from the type
    // index, a step per type (a loose index scan), never a pass over the events.
    Result<QStringList> eventTypes(int limit = 1000);

    // One sequencer step on the calling thread's connection.
    Result<SequencerStep> sequenceStep(int maxRows = 10000);
    // Runs steps until nothing written before this call is left unnumbered, or until the
    // timeout. Returns the head (the writer's).
    Result<GlobalPosition> sequenceNow(std::chrono::milliseconds timeout
                                       = std::chrono::seconds(10));

    const QString &schema() const;
    // The LISTEN/NOTIFY channel on which new positions are announced.
    QString notificationChannel() const;
    // The write connection's options, and the read connection's (the write connection's when
    // there is no read connection).
    const ConnectionOptions &connectionOptions() const;
    const ConnectionOptions &readConnectionOptions() const;
    bool hasReadConnection() const;
    const StoreSettings &settings() const;
    // The pooler mode in effect: settings().pooler, or Transaction once the store has found
    // that its server sessions change between transactions (see StoreSettings::pooler).
    PoolerMode poolerMode() const;

    // Validation used before anything is sent; empty when valid.
    QString validateEvent(const NewEvent &event) const;
    static QString validateSchemaName(const QString &schema);

private:
    friend class StoreAccess;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace eventium
