#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <chrono>
#include <compare>
#include <limits>
#include <optional>

namespace eventium {

// A stream's version: the number of events in it. The first event has version 1; a stream
// that does not exist has version 0 when expected, and reports -1 as its actual version.
struct StreamVersion
{
    qint64 value = 0;
    constexpr StreamVersion() = default;
    constexpr explicit StreamVersion(qint64 v)
        : value(v)
    {
    }
    // Where a backward read starts to begin at the newest event (reading backward from 0
    // returns nothing: there is nothing at or before version 0).
    static constexpr StreamVersion end()
    {
        return StreamVersion(std::numeric_limits<qint64>::max());
    }
    constexpr bool isEnd() const { return value == std::numeric_limits<qint64>::max(); }
    constexpr auto operator<=>(const StreamVersion &) const = default;
};

// A position in the global sequence: dense, starting at 1.
struct GlobalPosition
{
    qint64 value = 0;
    constexpr GlobalPosition() = default;
    constexpr explicit GlobalPosition(qint64 v)
        : value(v)
    {
    }
    // Where a backward read starts to begin at the head (reading backward from 0 returns
    // nothing).
    static constexpr GlobalPosition end()
    {
        return GlobalPosition(std::numeric_limits<qint64>::max());
    }
    constexpr auto operator<=>(const GlobalPosition &) const = default;
};

// Whether `c` is a control character: C0 (below U+0020), DEL, or C1 (U+0080 to U+009F).
// Stream names and event types refuse them.
bool isControl(QChar c);

// A stream name. Construct freely; the store validates it (non-empty, at most
// maxStreamNameBytes of UTF-8, no control characters, C1 included) before anything is sent.
class StreamName
{
public:
    StreamName() = default;
    explicit StreamName(QString name)
        : m_name(std::move(name))
    {
    }
    const QString &value() const { return m_name; }
    bool operator==(const StreamName &) const = default;

    static constexpr int maxBytes = 512;
    // Empty when valid, otherwise why not.
    static QString validate(const QString &name);

private:
    QString m_name;
};

// What an append expects of the stream's current version.
class ExpectedVersion
{
public:
    static constexpr ExpectedVersion any() { return ExpectedVersion(-1); }
    static constexpr ExpectedVersion noStream() { return ExpectedVersion(-2); }
    static constexpr ExpectedVersion streamExists() { return ExpectedVersion(-3); }
    // A negative version is invalid: the store refuses it with a clear error.
    static constexpr ExpectedVersion exact(qint64 version)
    {
        return ExpectedVersion(version < 0 ? kInvalid : version);
    }
    static constexpr ExpectedVersion exact(StreamVersion version)
    {
        return ExpectedVersion(version.value);
    }

    constexpr bool isAny() const { return m_code == -1; }
    constexpr bool isNoStream() const { return m_code == -2; }
    constexpr bool isStreamExists() const { return m_code == -3; }
    constexpr bool isExact() const { return m_code >= 0; }
    constexpr bool isValid() const { return m_code >= -3; }
    constexpr qint64 exactVersion() const { return m_code; }
    // The code the database function takes: -1 any, -2 no stream, -3 exists, >= 0 exact.
    constexpr qint64 code() const { return m_code; }
    constexpr bool operator==(const ExpectedVersion &) const = default;

    // "any", "no-stream", "exists" or a number; nullopt when unparsable or negative.
    static std::optional<ExpectedVersion> parse(const QString &text);
    QString toString() const;

private:
    static constexpr qint64 kInvalid = -1000;
    constexpr explicit ExpectedVersion(qint64 code)
        : m_code(code)
    {
    }
    qint64 m_code;
};

// An event to append. `data` and `metadata` are JSON texts, stored exactly as jsonb parses
// them (numbers keep their precision). An empty metadata means none. A null id gets a
// fresh one; re-sending the same ids makes a retry idempotent.
struct NewEvent
{
    // JSON nested deeper than this (objects and arrays inside each other) is refused as
    // InvalidJson, on every path: the library, the CLI's --data and its JSON lines.
    static constexpr int maxJsonDepth = 512;

    QString type;
    QByteArray data = "{}";
    QByteArray metadata;
    QUuid id;
};

// An event as stored.
struct RecordedEvent
{
    GlobalPosition position; // 0 while not yet numbered by the sequencer
    QString stream;
    StreamVersion version;
    QUuid id;
    QString type;
    QByteArray data;
    QByteArray metadata; // empty when none
    QDateTime created; // UTC, cut down to the millisecond (never later than stored)
    // When its data was erased (Store::erase): `data` is then {} and `metadata` empty; invalid
    // for an event that was not.
    QDateTime erased;
    bool isErased() const { return erased.isValid(); }
};

// Events related to one event (Store::related): those of its business process (the same
// correlation id) and the tree of causes and effects it belongs to. The metadata convention:
// {"correlationId": "<process id>", "causationId": "<id of the event that caused it>"} (the
// "$correlationId" / "$causationId" spellings count too); README, "Related events".
struct CausationNode
{
    RecordedEvent event;
    int depth = 0; // 0: the tree's root (its cause is not an event of the store)
    // The event that caused it (the nearest cause readers see); null for the root.
    QUuid parent;
};

struct CorrelatedEvents
{
    QList<RecordedEvent> events;
    bool more = false; // more events have the correlation id than were asked for
};

struct RelatedEvents
{
    QString correlationId; // of the event asked about; empty when it has none
    QString causationId; // likewise (as written)
    // The events with the same correlation id (the event itself among them), in global
    // order, events not yet numbered last. At most `limit`: the first ones written;
    // moreCorrelated when there are more.
    QList<RecordedEvent> correlated;
    bool moreCorrelated = false;
    // The causation tree the event belongs to, depth first from its root (children in the
    // order they were written). At most `limit` nodes, nearest the root first; moreCausation
    // when the tree is larger. A single node when nothing caused the event and it caused
    // nothing.
    QList<CausationNode> causation;
    bool moreCausation = false;
};

// What Store::erase did.
struct EraseResult
{
    enum class Status {
        Erased, // now
        AlreadyErased, // before: nothing changed
        NotFound, // no event has this id
    };
    Status status = Status::NotFound;
    QDateTime erased; // when it was erased (invalid for NotFound)
};

// Who erased an event's data, when and why (Store::erasure).
struct Erasure
{
    QDateTime erased;
    QString by;
    QString reason;
};

struct AppendResult
{
    enum class Status {
        Appended,
        AlreadyAppended, // an idempotent retry: the same ids were stored before
        WrongExpectedVersion, // nothing written; actualVersion says what the stream has
    };
    Status status = Status::Appended;
    QString stream;
    StreamVersion firstVersion; // of the events written (or found, for a retry)
    StreamVersion lastVersion; // the stream's version after them
    qint64 actualVersion = -1; // on a conflict: the stream's version, -1 when it does not exist
    QList<QUuid> eventIds;

    bool succeeded() const { return status != Status::WrongExpectedVersion; }
    bool isConflict() const { return status == Status::WrongExpectedVersion; }
};

// One stream's part of an atomic multi-stream append.
struct StreamAppend
{
    StreamName stream;
    ExpectedVersion expected = ExpectedVersion::any();
    QList<NewEvent> events;
};

enum class Direction { Forward, Backward };

// How many of a stream's events readers see (Store::setStreamMetadata): only the newest
// maxCount, only those younger than maxAge; unset, no limit. Hidden events keep their
// positions; Store::scavenge removes their rows.
struct StreamMetadata
{
    std::optional<qint64> maxCount; // 1 or more
    std::optional<std::chrono::seconds> maxAge; // 1 s or more
    bool operator==(const StreamMetadata &) const = default;
};

struct StreamInfo
{
    QString name;
    // The last version written (also the number of events ever appended, hidden or not;
    // a deleted stream keeps it, and an append after a soft delete goes on from it).
    StreamVersion version;
    QDateTime created;
    QDateTime updated;
    qint64 recency = 0; // increases with every append to the stream
    // Readers see versions from firstVisible on (Store::truncate, a delete: version + 1),
    // further limited by metadata.
    StreamVersion firstVisible = StreamVersion(1);
    StreamMetadata metadata;
    QDateTime deleted; // valid: deleted (softly, unless tombstoned too)
    bool tombstoned = false; // deleted for good: never written again
    bool isDeleted() const { return deleted.isValid() || tombstoned; }
};

// How Store::deleteStream deletes.
enum class DeleteMode {
    // Hidden and out of the listings; the next append (any, no stream, or the exact last
    // version) brings the stream back, its versions going on after the last one.
    Soft,
    // Hidden for good: appends, truncations and deletes fail with StreamDeleted.
    Hard,
};

// What Store::deleteStream did.
struct DeleteResult
{
    enum class Status {
        Deleted, // now
        AlreadyDeleted, // soft-deleted before: nothing changed
        NotFound, // no such stream (a soft delete of it changes nothing)
        WrongExpectedVersion, // nothing changed; version is the actual one (-1: no stream)
    };
    Status status = Status::NotFound;
    StreamVersion version = StreamVersion(-1); // the stream's last version
    bool succeeded() const { return status == Status::Deleted || status == Status::AlreadyDeleted; }
};

// What Store::scavenge removed.
struct ScavengeResult
{
    qint64 streams = 0; // streams looked at
    qint64 removed = 0; // event rows removed
};

// A key for the next page of streams; default is the first page.
struct StreamCursor
{
    QString name; // ByName: the last name seen
    qint64 recency = 0; // ByRecency: the last recency key seen
    bool valid = false;
};

struct StreamPage
{
    QList<StreamInfo> streams;
    bool hasMore = false;
    StreamCursor next; // pass to the next call for the following page
};

enum class StreamOrder { ByName, ByRecency };

// A page of one stream's search (Store::searchStream).
struct StreamSearchPage
{
    QList<RecordedEvent> events; // in version order
    StreamVersion next; // where to go on
    StreamVersion last; // the stream's version when it was read (0: no such stream)
    bool atEnd() const { return next.value > last.value; }
};

// Which events of the global sequence a read, a Follower or a subscription wants; every
// condition given must hold (AND). Executed by PostgreSQL: event types by their index, JSON
// containment and JSON paths by the payload's GIN index (jsonb_path_ops); the others are
// checked on the rows of a bounded window of positions (see Store::readAll).
struct GlobalFilter
{
    QStringList types; // any of these; empty: all types
    // Exactly this stream (read through its (stream_id, version) index: a follower of one
    // stream never walks the global sequence); empty: any stream.
    QString stream;
    QString streamPrefix; // the stream name starts with it; empty: all streams
    QString streamContains; // the stream name contains it (case-sensitive)
    QDateTime since; // created at or after (invalid: no bound)
    QDateTime until; // created before (invalid: no bound)
    // The payload contains this JSON (jsonb @>): {"customerId": 42} matches any payload
    // with that member, whatever else it holds.
    QByteArray contains;
    // An expression as people type it (SearchExpression): `customerId = 42`,
    // `customer.name = "Ann"`, `total > 100`, or a JSON path predicate such as
    // `$.items[*].sku == "A-1"`.
    QString where;
    // Text anywhere in the payload, keys and values, case-insensitive.
    QString text;

    bool operator==(const GlobalFilter &) const = default;
    // Whether only the types and the stream prefix are given: conditions a reader can check on
    // an event it already holds, without asking the server.
    bool isLocal() const
    {
        return stream.isEmpty() && streamContains.isEmpty() && !since.isValid() && !until.isValid()
            && contains.isEmpty() && where.isEmpty() && text.isEmpty();
    }
    bool isEmpty() const
    {
        return types.isEmpty() && stream.isEmpty() && streamPrefix.isEmpty()
            && streamContains.isEmpty() && !since.isValid() && !until.isValid()
            && contains.isEmpty() && where.isEmpty() && text.isEmpty();
    }
};

// A search expression turned into what PostgreSQL runs: `path = value` (a path of member
// names) becomes JSON containment, which the payload's GIN index serves; any other comparison
// (`!=`, `<`, `<=`, `>`, `>=`, or `=` through array indexes) and any expression that starts
// with `$` become a JSON path predicate (jsonb @@). Values are JSON (42, 1.5, "text", true,
// false, null); a bare word is a string.
struct SearchExpression
{
    enum class Kind { Containment, JsonPath };
    Kind kind = Kind::Containment;
    QByteArray text; // the JSON document to contain, or the JSON path predicate

    // nullopt with `error` set when the expression cannot be read.
    static std::optional<SearchExpression> parse(const QString &expression, QString *error);
};

// What Store::activity() counts: events over time, in buckets of a fixed width.
struct ActivityQuery
{
    QString stream; // one stream; empty: the whole store
    // The range; invalid: from the first event, to the newest. Buckets are whole, aligned to
    // multiples of their width since the epoch (UTC), and cover the range.
    QDateTime from;
    QDateTime to;
    // The width of a bucket in seconds; 0: automatic (Activity::autoBucketSeconds).
    qint64 bucketSeconds = 0;
    // Without `from`, at most this many buckets, the newest (a fixed width over a long store).
    int maxBuckets = 120;
    int topTypes = 5; // types named in the result (1 to 50); the rest count as `other`
};

struct ActivityBucket
{
    QDateTime start; // the bucket is [start, start + width)
    qint64 total = 0; // exact
    QList<qint64> counts; // per Activity::types, in that order
    qint64 other = 0; // every other type (and events whose rows a scavenge removed)
    // The type counts were estimated from a sample of the bucket's events, scaled to the
    // exact total.
    bool estimated = false;
    // The position (for a stream: the version) of the bucket's first event; when it is
    // empty, of the first event after it.
    qint64 first = 0;
};

struct Activity
{
    QString stream; // empty: the whole store
    qint64 bucketSeconds = 0;
    QStringList types; // the top types, most events first
    QList<ActivityBucket> buckets; // in time order; none for an empty store

    qint64 total() const;
    bool anyEstimated() const;
    // The end of the last bucket (invalid when there is none).
    QDateTime end() const;
    // The smallest round width (1, 2, 5, 10, 15, 30 s, 1, 2, 5 ... min, 1, 2, 3, 6, 12 h,
    // 1, 2, 7 ... days) that covers `span` in at most `maxBuckets` buckets.
    static qint64 autoBucketSeconds(std::chrono::milliseconds span, int maxBuckets = 120);
};

struct StoreStats
{
    // Stored events: numbered and pending, less those a scavenge removed (their positions
    // stay, so this can be less than headPosition + pending).
    qint64 events = 0;
    qint64 scavenged = 0; // events whose rows a scavenge removed
    qint64 streams = 0; // streams that are not deleted (those the listings show)
    qint64 deletedStreams = 0; // deleted, softly or for good
    qint64 headPosition = 0; // the last numbered position
    qint64 pending = 0; // events written but not yet numbered
    qint64 totalBytes = 0; // all tables and indexes of the schema
    qint64 eventsBytes = 0;
    QString oldestRunningXid; // the transaction holding the numbering back, if any
    double lagSeconds = 0; // age of the oldest unnumbered event
};

// What a connection reads from: a primary, or a hot standby and how far behind it is
// (Store::replication()).
struct ReplicationStatus
{
    bool standby = false; // pg_is_in_recovery(): a read-only server replaying a primary's WAL
    // Standby only: how old the newest replayed commit is, 0 when everything received is
    // replayed; nullopt on a primary or when it cannot be told (nothing replayed yet).
    std::optional<std::chrono::milliseconds> replayLag;
    // Standby only: WAL received but not yet replayed, in bytes.
    qint64 replayBytesBehind = 0;
};

// Who and where a connection is: answered by the server itself.
struct ServerInfo
{
    QString serverVersion; // server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"
    QString user; // current_user
    QString database; // current_database()

    // TLS, as Store::testConnection() finds it (other calls leave these at their defaults).
    // From pg_stat_ssl for this connection's backend:
    bool ssl = false; // the connection is encrypted
    QString sslVersion; // e.g. "TLSv1.3"
    QString sslCipher; // e.g. "TLS_AES_256_GCM_SHA384"
    // The sslmode libpq was asked for: the options' sslmode, else PGSSLMODE; empty when
    // neither says (libpq's default, prefer).
    QString sslMode;
    // The server's certificate was checked against a trusted CA (sslmode verify-ca or
    // verify-full on an encrypted connection: libpq refuses to connect otherwise), and its
    // host name too (verify-full).
    bool sslCertificateVerified = false;
    bool sslHostNameVerified = false;
    // Whether the server is a primary or a hot standby (Store::testConnection() only).
    ReplicationStatus replication;
};

// What the store's role may do in its schema.
struct Capabilities
{
    ServerInfo server;
    int schemaVersion = 0; // 0: no schema yet
    bool canAppend = false; // INSERT on events and EXECUTE on append_events()
    QString readOnlyReason; // why not, when !canAppend ("role r cannot call append_events")
};

// What a reader of the global sequence has seen, to check a server's history against after a
// reconnection (Store::checkHistory()).
struct HistoryMark
{
    GlobalPosition lastPosition {0}; // the last event delivered (0: none)
    QUuid lastEventId;
    GlobalPosition readTo {0}; // the positions read (delivered or filtered out) end here
};

struct HistoryCheck
{
    enum class Outcome {
        Same, // what was seen is still there
        Rewritten, // it is not: commits were lost (explanation says how it shows)
        NotYet, // a standby that has not replayed up to it yet
    };
    Outcome outcome = Outcome::Same;
    QString explanation;
};

} // namespace eventium
