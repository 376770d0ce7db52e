#pragma once

#include "connectionpool.h"
#include "pg/connection.h"
#include "sequencer.h"

#include "eventium/store.h"

#include <QMutex>
#include <QSet>

#include <memory>

namespace eventium {

// The store's state, and the few rules every Store call follows on its way to PostgreSQL:
// borrow a connection of the calling thread (connect()), run statements through the
// data-access layer (pg::Connection), retry a read once on a fresh connection when its
// connection was lost (read()), and tell a missing schema from a wrong statement (explain()).
//
// Two connections (StoreSettings::readConnection): read() and connect() use the write
// connection, which every statement that writes, locks or numbers must use, and so does a
// read that must see this store's own writes (a sequencer step, streamlife's UPDATE, the
// toolkit's statements). The read API (the list in store.h) goes through readOn() and
// connect() with StoreConnection::Read, which use the read pool when there is one: only
// read-only statements, and transactions whose settings are LOCAL, so that a hot standby
// runs them.
struct Store::Private
{
    ConnectionOptions options;
    StoreSettings settings;
    std::unique_ptr<ConnectionPool> pool;
    std::unique_ptr<ConnectionPool> readPool; // null: the read connection is `pool`'s
    QString s; // the quoted schema, for SQL text
    QString channel;
    // Prebuilt statements.
    QString appendSql, lockStreamsSql, readForwardSql, readBackwardSql, readAllSql, headSql,
        stepSql, streamColumns;
    // An unfiltered page of the global sequence in one statement (readSequence), forwards and
    // backwards: $1 the position to start from, $2 the limit.
    QString pageForwardSql, pageBackwardSql;
    // What every read selects of an event (reads.cpp: eventFromRow), then its position.
    QString eventColumns;
    // Whether readers see event `e` of stream `st` (truncation, deletion, max count and age;
    // migration 0008 keeps the same rule in scavenge_stream()).
    QString visibleSql;
    // The internal errors already logged (each is logged once, not per retry or per call).
    QMutex loggedMutex;
    QSet<QString> loggedInternalErrors;
    std::unique_ptr<Sequencer> sequencer; // declared last: stopped first

    Result<pg::Connection> connect(StoreConnection on = StoreConnection::Write);
    // One idempotent statement: on a lost connection (a server restart leaves every idle
    // pooled connection dead) it runs once more on a fresh connection.
    // A read given a Cancellation can be cancelled while its statement runs.
    Result<pg::Rows> read(const QString &sql, const pg::Params &params, const QString &what,
                          const Cancellation &cancellation = Cancellation::none());
    // read() on either connection: StoreConnection::Read for the read API's statements.
    Result<pg::Rows> readOn(StoreConnection on, const QString &sql, const pg::Params &params,
                            const QString &what,
                            const Cancellation &cancellation = Cancellation::none());
    // An undefined schema, table or function means "not migrated" only when the schema
    // really lacks the store's tables (as the connection the statement ran on sees it: a
    // standby that has not replayed a migration yet); otherwise the statement is wrong: it
    // says so, and logs it as a warning the first time.
    StoreError explain(const StoreError &error, StoreConnection on = StoreConnection::Write);
    // StreamDeleted for `what` when `stream` is deleted for good (a tombstone); nullopt when
    // it is not (or does not exist); the lookup's error if it fails.
    std::optional<StoreError> deletedForGood(const StreamName &stream, const QString &what,
                                             StoreConnection on);
    // The schema version in the database (0 when there is none).
    Result<int> schemaVersion(StoreConnection on = StoreConnection::Write);

    // Appends (appends.cpp).
    Result<AppendResult> appendOnce(const StreamName &stream, ExpectedVersion expected,
                                    const QList<NewEvent> &events, const QList<QUuid> &ids);
    Result<AppendResult> execAppend(pg::Connection &c, const StreamName &stream,
                                    ExpectedVersion expected, const QList<NewEvent> &events,
                                    const QList<QByteArray> &batch, const QList<QUuid> &ids);
    Result<MultiAppendResult> appendMultiOnce(const QList<StreamAppend> &appends,
                                              const QList<QList<QUuid>> &ids);
    // Reads (reads.cpp), all on the read connection.
    // Asks the server to read a search's JSON path (where nothing else would run it): one it
    // cannot read is InvalidInput.
    Result<Done> checkJsonPath(const QByteArray &jsonPath, const GlobalFilter &filter,
                               const Cancellation &cancellation);
    Result<GlobalPage> readGlobal(GlobalPosition from, int limit, const GlobalFilter &filter,
                                  Direction direction, const Cancellation &cancellation);
    // readGlobal without a filter: the page's positions first, then their events.
    Result<GlobalPage> readSequence(GlobalPosition from, int limit, Direction direction,
                                    const Cancellation &cancellation);
    // Whether the events of these types are few (at most kSelectiveEvents), counted through
    // the (type, id) index: such a filter is read through that index over the whole range.
    Result<bool> selectiveTypes(const QStringList &types, const Cancellation &cancellation);
    // The streams whose name contains `text` (starts with it: `prefix`), when they are few
    // and small enough to read through the (stream_id, version) index over the whole
    // sequence: their ids, or nullopt when there are more than kSelectiveStreams of them or
    // more than kSelectiveEvents events.
    Result<std::optional<QList<qint64>>> selectiveStreams(const QString &text, bool prefix,
                                                          const Cancellation &cancellation);
};

// An event from a row of Private::eventColumns, then its position (NULL: not yet numbered),
// then its stream's name unless `stream` gives it (reads.cpp).
RecordedEvent eventFromRow(const pg::Rows &r, int row, const QString *stream);
// Whether the server is a hot standby, its replay lag and the bytes it has yet to replay, and
// that row read (reads.cpp; Store::replication(), Store::testConnection()).
const QString &replicationSql();
ReplicationStatus replicationFromRow(const pg::Rows &r);
// A binary search in one statement for each time of $1 (a timestamptz[]): `bounds` is a query
// giving the range's bounds (lo, hi, top: the answer is the first n in [lo, hi) whose time
// `at`, a scalar query of n written with {n}, is at or after the time; hi when there is
// none). Rows (k, n, top), k the time's ordinal from 1, in k order. A NULL time (a row a
// scavenge removed) counts as before. Each step is one lookup by `at`'s index (reads.cpp).
QString firstAtOrAfterEach(const QString &bounds, QString at);
// firstAtOrAfterEach's bounds over the numbered positions, 1 to the head, with %1 for the
// schema. The head as a scalar subquery: the planner knows that as one row, where the
// sequencer table, without statistics (a restored store), looked like 1,330 rows and made the
// search's estimate big enough for JIT to compile it (180 ms).
inline constexpr char kWholeSequenceBounds[]
    = "SELECT 1::int8, h.top, h.top FROM (SELECT (SELECT last_position + 1 FROM %1.sequencer) "
      "AS top) h";

// The largest page a read returns.
inline constexpr int kMaxLimit = 100000;
// A stream-name substring matched by at most this many streams, holding at most this many
// events, is read through those streams (Private::selectiveStreams).
inline constexpr int kSelectiveStreams = 1000;
inline constexpr qint64 kSelectiveEvents = 50000;

inline StoreError invalidInput(const QString &message)
{
    return StoreError(StoreError::Kind::InvalidInput, message);
}

} // namespace eventium
