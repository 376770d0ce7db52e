// The Store: construction, its connections and the rules every call follows on its way to
// PostgreSQL (storeprivate.h). The calls themselves live by concern: migrator.cpp,
// appends.cpp (with appendencoding.cpp), reads.cpp, sequencing.cpp.
#include "pg/sql.h"
#include "storeaccess.h"
#include "storeprivate.h"

#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcStore, "eventium.store")

void eventiumInitMigrations();

namespace eventium {

Store::Store(ConnectionOptions options, StoreSettings settings)
    : d(std::make_unique<Private>())
{
    eventiumInitMigrations();
    d->options = std::move(options);
    d->settings = std::move(settings);
    ConnectionPool::Settings ps;
    ps.maxConnections = qMax(1, d->settings.poolSize);
    ps.acquireTimeout = d->settings.acquireTimeout;
    ps.namedStatements = d->settings.pooler != PoolerMode::Transaction;
    d->pool = std::make_unique<ConnectionPool>(d->options, ps);
    if (d->settings.readConnection)
        d->readPool = std::make_unique<ConnectionPool>(*d->settings.readConnection, ps);
    d->s = pg::quoteIdent(d->settings.schema);
    d->channel = pg::notificationChannel(d->settings.schema);

    // Times cut down to the millisecond (floor, not rounded): never later than the stored
    // time, so that a read from an event's time (GlobalFilter::since, positionAt) includes it.
    d->eventColumns = QStringLiteral("e.version, e.event_id, e.type, e.data, e.metadata, %1, %2")
                          .arg(pg::epochMillis(QStringLiteral("e.created_at")),
                               pg::epochMillis(QStringLiteral("e.erased_at")));
    d->visibleSql
        = QStringLiteral("e.version >= st.first_visible "
                         "AND (st.max_count IS NULL OR e.version > st.version - st.max_count) "
                         "AND (st.max_age IS NULL OR e.created_at >= now() - st.max_age) ");
    // A stream read starts its index range at the first version it may see.
    const QString firstSeen
        = QStringLiteral("greatest(st.first_visible, CASE WHEN st.max_count IS NULL THEN 1 "
                         "ELSE st.version - st.max_count + 1 END)");
    const QString &cols = d->eventColumns;
    d->appendSql = QStringLiteral(
                       "SELECT status, first_version, last_version FROM "
                       "%1.append_events($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])")
                       .arg(d->s);
    d->lockStreamsSql = QStringLiteral("SELECT %1.lock_streams($1::text[])").arg(d->s);
    d->readForwardSql
        = QStringLiteral("SELECT %2, g.position FROM %1.streams st JOIN %1.events e ON e.stream_id "
                         "= st.stream_id "
                         "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                         "WHERE st.name = $1 AND e.version >= greatest($2::int8, %3) AND %4"
                         "ORDER BY e.version LIMIT $3")
              .arg(d->s, cols, firstSeen, d->visibleSql);
    d->readBackwardSql
        = QStringLiteral("SELECT %2, g.position FROM %1.streams st JOIN %1.events e ON e.stream_id "
                         "= st.stream_id "
                         "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                         "WHERE st.name = $1 AND e.version <= $2 AND e.version >= %3 AND %4"
                         "ORDER BY e.version DESC LIMIT $3")
              .arg(d->s, cols, firstSeen, d->visibleSql);
    d->readAllSql = QStringLiteral("SELECT %2, g.position, st.name FROM %1.global_events g JOIN "
                                   "%1.events e ON e.id = g.event_row "
                                   "JOIN %1.streams st ON st.stream_id = e.stream_id "
                                   "WHERE g.position >= $1 AND g.position < $2 AND %3")
                        .arg(d->s, cols, d->visibleSql);
    d->headSql = QStringLiteral("SELECT last_position FROM %1.sequencer").arg(d->s);
    // One statement for a page of the sequence (reads.cpp, readSequence). `pos` takes the
    // page's positions (an index range of `limit` entries up to the head); `b` the range of
    // their event rows, and whether it is narrow: at most four times the rows it holds, and
    // a little slack, which is the rule, as rows are numbered in commit order and ids follow
    // insertion. When narrow, the events are one range of events_pkey merged with the
    // positions, and the streams are looked up once each (`st`), not once per event: by
    // their primary key whatever the planner estimates (the LATERAL subquery with OFFSET 0
    // is not flattened), as it took the range for 0.5 % of the table, without knowing its
    // bounds, and so on a store of 10,000,000 events hashed the whole streams table at every
    // page.
    // The last row is the trailer: no version, "narrow" or "wide" as its type, then the head,
    // the number of positions looked at and the last of them. A wide page gives no events:
    // the caller reads those positions by probing events_pkey (readAllSql).
    // The page is not sorted here; readSequence sorts it by position.
    // Every bound comes from within the statement, so its plan does not depend on the
    // parameters, and the generic plan is kept: no planning per page.
    const auto pageSql = [this](bool forward) {
        return QStringLiteral(
                   "WITH pos AS MATERIALIZED (SELECT position, event_row FROM %1.global_events "
                   "WHERE %4 LIMIT $2), "
                   "b AS MATERIALIZED (SELECT min(event_row) AS lo, max(event_row) AS hi, "
                   "coalesce(max(event_row) - min(event_row) < 4 * count(*) + 64, true) AS "
                   "narrow, count(*) AS n, %5(position) AS last FROM pos), "
                   "st AS MATERIALIZED (SELECT s.* FROM (SELECT DISTINCT e.stream_id FROM "
                   "%1.events e WHERE e.id >= (SELECT lo FROM b) AND e.id <= (SELECT hi FROM b) "
                   "AND (SELECT narrow FROM b)) i CROSS JOIN LATERAL (SELECT stream_id, name, "
                   "first_visible, version, max_count, max_age FROM %1.streams WHERE stream_id "
                   "= i.stream_id OFFSET 0) s) "
                   "SELECT %2, g.position, st.name FROM pos g JOIN %1.events e ON e.id = "
                   "g.event_row JOIN st ON st.stream_id = e.stream_id WHERE e.id >= (SELECT lo "
                   "FROM b) AND e.id <= (SELECT hi FROM b) AND (SELECT narrow FROM b) AND %3"
                   "UNION ALL SELECT NULL, NULL, CASE WHEN b.narrow THEN 'narrow' ELSE 'wide' "
                   "END, NULL, NULL, (SELECT last_position FROM %1.sequencer), b.n, b.last, NULL "
                   "FROM b")
            .arg(d->s, d->eventColumns, d->visibleSql,
                 forward ? QStringLiteral("position >= $1 AND position <= (SELECT last_position "
                                          "FROM %1.sequencer) ORDER BY position")
                               .arg(d->s)
                         : QStringLiteral("position <= least($1, (SELECT last_position FROM "
                                          "%1.sequencer)) ORDER BY position DESC")
                               .arg(d->s),
                 forward ? QStringLiteral("max") : QStringLiteral("min"));
    };
    d->pageForwardSql = pageSql(true);
    d->pageBackwardSql = pageSql(false);
    d->stepSql = QStringLiteral("SELECT numbered, last_position, pending FROM %1.sequence_step($1)")
                     .arg(d->s);
    // Times as milliseconds since the epoch (a text timestamp would need parsing, and QPSQL's
    // would drop the microseconds anyway); last_row is the recency key.
    d->streamColumns = QStringLiteral("name, version, %1, %2, last_row, first_visible, max_count, "
                                      "extract(epoch FROM max_age)::int8, %3, "
                                      "tombstoned_at IS NOT NULL")
                           .arg(pg::epochMillis(QStringLiteral("created_at")),
                                pg::epochMillis(QStringLiteral("updated_at")),
                                pg::epochMillis(QStringLiteral("deleted_at")));

    if (d->settings.runSequencer)
        d->sequencer = std::make_unique<Sequencer>(this, d->settings.sequencerPollInterval);
}

Store::~Store()
{
    d->sequencer.reset();
    d->pool->closeIdleConnectionsOfThisThread();
    if (d->readPool)
        d->readPool->closeIdleConnectionsOfThisThread();
}

const QString &Store::schema() const
{
    return d->settings.schema;
}
QString Store::notificationChannel() const
{
    return d->channel;
}
const ConnectionOptions &Store::connectionOptions() const
{
    return d->options;
}
const ConnectionOptions &Store::readConnectionOptions() const
{
    return d->settings.readConnection ? *d->settings.readConnection : d->options;
}
bool Store::hasReadConnection() const
{
    return d->readPool != nullptr;
}
const StoreSettings &Store::settings() const
{
    return d->settings;
}
PoolerMode Store::poolerMode() const
{
    return d->pool->namedStatements() ? d->settings.pooler : PoolerMode::Transaction;
}

std::optional<PoolerMode> parsePoolerMode(const QString &text)
{
    for (PoolerMode mode : {PoolerMode::Direct, PoolerMode::Session, PoolerMode::Transaction}) {
        if (text.compare(poolerModeName(mode), Qt::CaseInsensitive) == 0)
            return mode;
    }
    return std::nullopt;
}

QString poolerModeName(PoolerMode mode)
{
    switch (mode) {
    case PoolerMode::Direct:
        return QStringLiteral("direct");
    case PoolerMode::Session:
        return QStringLiteral("session");
    case PoolerMode::Transaction:
        return QStringLiteral("transaction");
    }
    return {};
}

QString Store::validateSchemaName(const QString &schema)
{
    static const QRegularExpression re(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    if (!re.match(schema).hasMatch())
        return QStringLiteral(
                   "invalid schema name \"%1\": use lowercase letters, digits and '_' (at most 63)")
            .arg(schema);
    return {};
}

// ---------------------------------------------------------------- the rules of every call

Result<pg::Connection> Store::Private::connect(StoreConnection on)
{
    ConnectionPool &from = on == StoreConnection::Read && readPool ? *readPool : *pool;
    auto lease = from.acquire();
    if (!lease)
        return lease.error();
    return pg::Connection(std::move(lease.value()));
}

Result<pg::Rows> Store::Private::read(const QString &sql, const pg::Params &params,
                                      const QString &what, const Cancellation &cancellation)
{
    return readOn(StoreConnection::Write, sql, params, what, cancellation);
}

Result<pg::Rows> Store::Private::readOn(StoreConnection on, const QString &sql,
                                        const pg::Params &params, const QString &what,
                                        const Cancellation &cancellation)
{
    for (int attempt = 0;; ++attempt) {
        if (cancellation.isCancelled())
            return StoreError(StoreError::Kind::Cancelled,
                              what + QStringLiteral(": cancelled before it was sent"));
        auto c = connect(on);
        if (!c)
            return c.error();
        auto r = c->exec(sql, params, what, cancellation);
        if (r)
            return r;
        if (r.error().kind() == StoreError::Kind::ConnectionLost && attempt == 0)
            continue;
        return explain(r.error(), on);
    }
}

StoreError Store::Private::explain(const StoreError &error, StoreConnection on)
{
    if (!pg::isUndefinedObject(error.sqlState()))
        return error;
    auto current = schemaVersion(on);
    const int version = current ? current.value() : -1;
    if (version >= 0 && version < latestSchemaVersion())
        return StoreError(StoreError::Kind::Migration,
                          version == 0
                              ? QStringLiteral("schema %1 does not exist; run migrate (%2)")
                                    .arg(settings.schema, error.message())
                              : QStringLiteral("schema %1 is at version %2, this library needs "
                                               "%3; run migrate (%4)")
                                    .arg(settings.schema)
                                    .arg(version)
                                    .arg(latestSchemaVersion())
                                    .arg(error.message()),
                          error.sqlState());
    // The schema is there and current: the statement itself is wrong.
    StoreError bug(StoreError::Kind::Other,
                   QStringLiteral("internal error: %1").arg(error.message()), error.sqlState());
    {
        QMutexLocker lock(&loggedMutex);
        if (!loggedInternalErrors.contains(bug.message())) {
            loggedInternalErrors.insert(bug.message());
            qCWarning(lcStore).noquote() << bug.toString();
        }
    }
    return bug;
}

// ---------------------------------------------------------------- the server

Result<Done> Store::ping(StoreConnection on)
{
    auto r = d->readOn(on, QStringLiteral("SELECT 1"), {}, QStringLiteral("ping"));
    if (!r)
        return r.error();
    return Done {};
}

Result<Capabilities> Store::capabilities()
{
    auto version = schemaVersion();
    if (!version)
        return version.error();
    // Any append_events the schema has, whatever its signature (it changes between
    // migrations); none at all means no appends either.
    auto r = d->read(
        QStringLiteral(
            "SELECT current_setting('server_version'), current_user, current_database(), "
            // Inserting events: directly, or through append_events() running as its owner
            // (a writer granted by Roles::grant has no table privileges).
            "coalesce(has_table_privilege(to_regclass($1), 'INSERT'), false) "
            "OR coalesce((SELECT bool_and(p.prosecdef) FROM pg_proc p "
            "          JOIN pg_namespace n ON n.oid = p.pronamespace "
            "          WHERE n.nspname = $2 AND p.proname = 'append_events'), false), "
            "coalesce((SELECT bool_and(has_function_privilege(p.oid, 'EXECUTE')) FROM pg_proc p "
            "          JOIN pg_namespace n ON n.oid = p.pronamespace "
            "          WHERE n.nspname = $2 AND p.proname = 'append_events'), false)"),
        {pg::param(d->s + QStringLiteral(".events")), pg::param(d->settings.schema)},
        QStringLiteral("capabilities"));
    if (!r)
        return r.error();
    Capabilities c;
    c.server.serverVersion = r->string(0, 0);
    c.server.user = r->string(0, 1);
    c.server.database = r->string(0, 2);
    c.schemaVersion = version.value();
    const bool canInsert = r->boolean(0, 3);
    const bool canExecute = r->boolean(0, 4);
    c.canAppend = canInsert && canExecute;
    if (c.schemaVersion == 0)
        c.readOnlyReason = QStringLiteral("schema %1 does not exist").arg(d->settings.schema);
    else if (!c.canAppend)
        c.readOnlyReason = QStringLiteral("role %1 cannot %2")
                               .arg(c.server.user,
                                    !canInsert ? QStringLiteral("insert events")
                                               : QStringLiteral("call append_events"));
    return c;
}

Result<ServerInfo> Store::testConnection(const ConnectionOptions &options)
{
    ConnectionPool::Settings ps;
    ps.maxConnections = 1;
    // One statement on a connection of its own: nothing to prepare (and through a
    // transaction-mode pooler, nothing that could be missing from the next server session).
    ps.namedStatements = false;
    ConnectionPool pool(options, ps);
    auto lease = pool.acquire();
    if (!lease)
        return lease.error();
    pg::Connection c(std::move(lease.value()));
    // pg_stat_ssl has a row for every backend; a role sees its own backend's TLS details.
    auto r
        = c.exec(QStringLiteral("SELECT current_setting('server_version'), current_user, "
                                "current_database(), coalesce(s.ssl, false), s.version, s.cipher "
                                "FROM (SELECT pg_backend_pid() AS pid) me "
                                "LEFT JOIN pg_stat_ssl s ON s.pid = me.pid"),
                 {}, QStringLiteral("connection test"));
    if (!r)
        return r.error();
    ServerInfo info;
    info.serverVersion = r->string(0, 0);
    info.user = r->string(0, 1);
    info.database = r->string(0, 2);
    info.ssl = r->boolean(0, 3);
    info.sslVersion = r->string(0, 4);
    info.sslCipher = r->string(0, 5);
    // libpq refuses a connection whose certificate fails the check its sslmode asks for, so
    // an encrypted connection under verify-ca / verify-full was verified.
    info.sslMode = options.sslmode.isEmpty() ? qEnvironmentVariable("PGSSLMODE") : options.sslmode;
    const bool verifyFull = info.sslMode == QLatin1String("verify-full");
    info.sslCertificateVerified
        = info.ssl && (verifyFull || info.sslMode == QLatin1String("verify-ca"));
    info.sslHostNameVerified = info.ssl && verifyFull;
    auto replication = c.exec(replicationSql(), {}, QStringLiteral("connection test"));
    if (!replication)
        return replication.error();
    info.replication = replicationFromRow(replication.value());
    return info;
}

// ---------------------------------------------------------------- for the rest of the library

Result<pg::Connection> StoreAccess::connect(Store &store)
{
    return store.d->connect();
}

Result<pg::Rows> StoreAccess::read(Store &store, const QString &sql, const pg::Params &params,
                                   const QString &what)
{
    return store.d->read(sql, params, what);
}

StoreError StoreAccess::explain(Store &store, const StoreError &error)
{
    return store.d->explain(error);
}

const QString &StoreAccess::schema(Store &store)
{
    return store.d->s;
}

} // namespace eventium
