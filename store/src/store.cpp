#include "eventium/store.h"

#include "eventium/transaction.h"
#include "nativehandle.h"
#include "pg/rows.h"
#include "sequencer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>

#include <algorithm>
#include <limits>
#include <numeric>

Q_LOGGING_CATEGORY(lcStore, "eventium.store")

static void initMigrationResources()
{
    Q_INIT_RESOURCE(eventium_migrations);
}

namespace eventium {

namespace {

constexpr int kMaxTypeLength = 255;
constexpr int kMaxLimit = 100000;

StoreError invalidInput(const QString &message)
{
    return StoreError(StoreError::Kind::InvalidInput, message);
}

QString quoteIdent(const QString &ident)
{
    return QLatin1Char('"') + QString(ident).replace(QLatin1Char('"'), QStringLiteral("\"\""))
        + QLatin1Char('"');
}

QString quoteLiteral(const QString &text)
{
    return QLatin1Char('\'') + QString(text).replace(QLatin1Char('\''), QStringLiteral("''"))
        + QLatin1Char('\'');
}

// A PostgreSQL text[] literal.
QString textArrayLiteral(const QStringList &items)
{
    QString out = QStringLiteral("{");
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += QLatin1Char(',');
        out += QLatin1Char('"');
        for (const QChar c : items.at(i)) {
            if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
                out += QLatin1Char('\\');
            out += c;
        }
        out += QLatin1Char('"');
    }
    out += QLatin1Char('}');
    return out;
}

// Empty when `json` is one valid JSON value jsonb will accept; otherwise why not.
QString jsonProblem(const QByteArray &json)
{
    if (json.contains('\0'))
        return QStringLiteral("contains a NUL byte");
    QJsonParseError error;
    // Wrapping in an array lets a scalar stand at the top level.
    const QByteArray wrapped = '[' + json + ']';
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("is not valid JSON: %1 at offset %2")
            .arg(error.errorString())
            .arg(qMax(0, error.offset - 1));
    if (doc.array().size() != 1)
        return QStringLiteral("is not one JSON value");
    // jsonb cannot store U+0000: look for an escaped \u0000 (an odd run of backslashes).
    for (qsizetype at = json.indexOf("u0000"); at >= 0; at = json.indexOf("u0000", at + 1)) {
        qsizetype slashes = 0;
        while (at - 1 - slashes >= 0 && json.at(at - 1 - slashes) == '\\')
            ++slashes;
        if (slashes % 2 == 1)
            return QStringLiteral("contains \\u0000, which PostgreSQL's jsonb cannot store");
    }
    for (qsizetype at = json.indexOf("U0000"); at >= 0; at = json.indexOf("U0000", at + 1)) {
        if (at > 0 && json.at(at - 1) == '\\')
            return QStringLiteral("contains an invalid escape \\U0000");
    }
    return {};
}

// Failures the caller caused (bad input, a schema not migrated yet) are debug output; the
// rest are warnings. Statements are logged, bound values (and so passwords) never.
void logFailure(const StoreError &err, const QString &text)
{
    switch (err.kind()) {
    case StoreError::Kind::InvalidInput:
    case StoreError::Kind::InvalidJson:
    case StoreError::Kind::PayloadTooLarge:
    case StoreError::Kind::DuplicateEventId:
    case StoreError::Kind::Migration:
        qCDebug(lcStore).noquote() << text;
        break;
    default:
        qCWarning(lcStore).noquote() << text;
    }
}

StoreError queryError(PooledConnection &c, const QSqlQuery &q, const QString &what)
{
    StoreError err = StoreError::fromSql(q.lastError(), what);
    if (err.kind() == StoreError::Kind::ConnectionLost || c.isDead()) {
        c.markBroken();
        if (err.kind() == StoreError::Kind::Other)
            err = StoreError(StoreError::Kind::ConnectionLost, err.message(), err.sqlState());
    }
    logFailure(err,
               what + QStringLiteral(" failed: ") + q.lastQuery().left(300) + QStringLiteral(" -- ")
                   + err.toString());
    return err;
}

QDateTime utc(const QVariant &v)
{
    QDateTime t = v.toDateTime();
    return t.isValid() ? t.toUTC() : t;
}

using NativeResult = pg::Rows;

StoreError nativeError(PooledConnection &c, PGresult *r, const QString &what)
{
    auto *conn = static_cast<PGconn *>(c.nativeHandle());
    const QString state
        = r ? QString::fromLatin1(PQresultErrorField(r, PG_DIAG_SQLSTATE)) : QString();
    QString message = r ? QString::fromUtf8(PQresultErrorMessage(r)).trimmed() : QString();
    if (message.isEmpty() && conn)
        message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
    const bool dead = !conn || PQstatus(conn) == CONNECTION_BAD;
    StoreError err = StoreError::fromSql(
        QSqlError(QString(), message, dead ? QSqlError::ConnectionError : QSqlError::StatementError,
                  state),
        what);
    if (dead || err.kind() == StoreError::Kind::ConnectionLost) {
        c.markBroken();
        if (err.kind() != StoreError::Kind::ConnectionLost)
            err = StoreError(StoreError::Kind::ConnectionLost, err.message(), err.sqlState());
    }
    logFailure(err, what + QStringLiteral(" failed: ") + err.toString());
    return err;
}

Result<NativeResult> execNative(PooledConnection &c, const QString &sql,
                                const QList<QByteArray> &params, const QString &what)
{
    auto *conn = static_cast<PGconn *>(c.nativeHandle());
    if (!conn || PQstatus(conn) == CONNECTION_BAD) {
        c.markBroken();
        return StoreError(StoreError::Kind::ConnectionLost,
                          what + QStringLiteral(": no connection to the server"));
    }
    const QByteArray name
        = "ev_" + QCryptographicHash::hash(sql.toUtf8(), QCryptographicHash::Sha1).toHex().left(20);
    if (!c.hasNativeStatement(name)) {
        PGresult *prep = PQprepare(conn, name.constData(), sql.toUtf8().constData(),
                                   int(params.size()), nullptr);
        if (!prep || PQresultStatus(prep) != PGRES_COMMAND_OK) {
            StoreError err = nativeError(c, prep, what);
            if (prep)
                PQclear(prep);
            return err;
        }
        PQclear(prep);
        c.addNativeStatement(name);
    }
    std::vector<const char *> values;
    values.reserve(params.size());
    for (const QByteArray &p : params)
        values.push_back(p.isNull() ? nullptr : p.constData());
    PGresult *r = PQexecPrepared(conn, name.constData(), int(values.size()), values.data(), nullptr,
                                 nullptr, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        StoreError err = nativeError(c, r, what);
        if (r)
            PQclear(r);
        return err;
    }
    return NativeResult(r);
}

// Columns: version, event_id, type, data, metadata, created (ms since epoch), position[, stream]
RecordedEvent eventFromNative(const NativeResult &r, int row, const QString *stream)
{
    RecordedEvent e;
    e.version = StreamVersion(r.int64(row, 0));
    e.id = QUuid::fromString(QLatin1StringView(r.text(row, 1), r.length(row, 1)));
    e.type = r.string(row, 2);
    e.data = r.bytes(row, 3);
    if (!r.isNull(row, 4))
        e.metadata = r.bytes(row, 4);
    e.created = QDateTime::fromMSecsSinceEpoch(r.int64(row, 5), Qt::UTC);
    e.position = GlobalPosition(r.isNull(row, 6) ? 0 : r.int64(row, 6));
    e.stream = stream ? *stream : r.string(row, 7);
    return e;
}

QByteArray num(qint64 v)
{
    return QByteArray::number(v);
}

} // namespace

struct Store::Private
{
    ConnectionOptions options;
    StoreSettings settings;
    std::unique_ptr<ConnectionPool> pool;
    QString s; // the quoted schema, for SQL text
    QString channel;
    // Prebuilt statements.
    QString appendSql, lockStreamsSql, readForwardSql, readBackwardSql, readAllSql, headSql,
        stepSql;
    std::unique_ptr<Sequencer> sequencer; // declared last: stopped first
};

Store::Store(ConnectionOptions options, StoreSettings settings)
    : d(std::make_unique<Private>())
{
    initMigrationResources();
    d->options = std::move(options);
    d->settings = std::move(settings);
    ConnectionPool::Settings ps;
    ps.maxConnections = qMax(1, d->settings.poolSize);
    ps.acquireTimeout = d->settings.acquireTimeout;
    d->pool = std::make_unique<ConnectionPool>(d->options, ps);
    d->s = quoteIdent(d->settings.schema);
    d->channel = QStringLiteral("eventium_") + d->settings.schema.toLower();

    const QString cols = QStringLiteral("e.version, e.event_id, e.type, e.data, e.metadata, "
                                        "(extract(epoch FROM e.created_at) * 1000)::int8");
    d->appendSql = QStringLiteral(
                       "SELECT status, first_version, last_version FROM "
                       "%1.append_events($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])")
                       .arg(d->s);
    d->lockStreamsSql = QStringLiteral("SELECT %1.lock_streams($1::text[])").arg(d->s);
    d->readForwardSql
        = QStringLiteral("SELECT %2, g.position FROM %1.streams st JOIN %1.events e ON e.stream_id "
                         "= st.stream_id "
                         "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                         "WHERE st.name = $1 AND e.version >= $2 ORDER BY e.version LIMIT $3")
              .arg(d->s, cols);
    d->readBackwardSql
        = QStringLiteral("SELECT %2, g.position FROM %1.streams st JOIN %1.events e ON e.stream_id "
                         "= st.stream_id "
                         "LEFT JOIN %1.global_events g ON g.event_row = e.id "
                         "WHERE st.name = $1 AND e.version <= $2 ORDER BY e.version DESC LIMIT $3")
              .arg(d->s, cols);
    d->readAllSql = QStringLiteral("SELECT %2, g.position, st.name FROM %1.global_events g JOIN "
                                   "%1.events e ON e.id = g.event_row "
                                   "JOIN %1.streams st ON st.stream_id = e.stream_id "
                                   "WHERE g.position >= $1 AND g.position < $2 ")
                        .arg(d->s, cols);
    d->headSql = QStringLiteral("SELECT last_position FROM %1.sequencer").arg(d->s);
    d->stepSql = QStringLiteral("SELECT numbered, last_position, pending FROM %1.sequence_step(?)")
                     .arg(d->s);

    if (d->settings.runSequencer)
        d->sequencer = std::make_unique<Sequencer>(this, d->settings.sequencerPollInterval);
}

Store::~Store()
{
    d->sequencer.reset();
    d->pool->closeIdleConnectionsOfThisThread();
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
const StoreSettings &Store::settings() const
{
    return d->settings;
}
ConnectionPool &Store::pool()
{
    return *d->pool;
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

// ---------------------------------------------------------------- migrations

namespace {

struct Migration
{
    int version;
    QString name;
    QString sql;
};

QList<Migration> loadMigrations()
{
    QList<Migration> out;
    QDir dir(QStringLiteral(":/eventium/migrations"));
    static const QRegularExpression re(QStringLiteral("^(\\d+)_(.+)\\.sql$"));
    for (const QString &file : dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name)) {
        const auto m = re.match(file);
        if (!m.hasMatch())
            continue;
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        out.append({m.captured(1).toInt(), m.captured(2), QString::fromUtf8(f.readAll())});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return out;
}

} // namespace

int Store::latestSchemaVersion()
{
    initMigrationResources();
    const auto all = loadMigrations();
    return all.isEmpty() ? 0 : all.last().version;
}

Result<int> Store::migrate()
{
    if (QString why = validateSchemaName(d->settings.schema); !why.isEmpty())
        return invalidInput(why);
    const QList<Migration> migrations = loadMigrations();
    if (migrations.isEmpty())
        return StoreError(StoreError::Kind::Migration,
                          QStringLiteral("no migrations compiled into the library"));
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    QSqlQuery q(c.db());
    q.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(?))"));
    q.addBindValue(QStringLiteral("eventium.migrate:") + d->settings.schema);
    if (!q.exec())
        return queryError(c, q, QStringLiteral("migration lock"));
    if (!q.exec(QStringLiteral("CREATE SCHEMA IF NOT EXISTS %1").arg(d->s))
        || !q.exec(QStringLiteral(
                       "CREATE TABLE IF NOT EXISTS %1.schema_migrations (version int PRIMARY KEY, "
                       "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
                       .arg(d->s))
        || !q.exec(
            QStringLiteral("SELECT coalesce(max(version), 0) FROM %1.schema_migrations").arg(d->s))
        || !q.next())
        return queryError(c, q, QStringLiteral("migration bookkeeping"));
    const int current = q.value(0).toInt();
    const int latest = migrations.last().version;
    if (current > latest)
        return StoreError(
            StoreError::Kind::Migration,
            QStringLiteral("schema %1 is at version %2, newer than this library knows (%3)")
                .arg(d->settings.schema)
                .arg(current)
                .arg(latest));
    for (const Migration &m : migrations) {
        if (m.version <= current)
            continue;
        QString sql = m.sql;
        sql.replace(QStringLiteral("{{schema}}"), d->s);
        sql.replace(QStringLiteral("{{schema_name}}"), quoteLiteral(d->settings.schema));
        sql.replace(QStringLiteral("{{channel}}"), quoteLiteral(d->channel));
        QSqlQuery apply(c.db());
        if (!apply.exec(sql))
            return StoreError(StoreError::Kind::Migration,
                              QStringLiteral("migration %1_%2 failed: %3")
                                  .arg(m.version)
                                  .arg(m.name, apply.lastError().text()),
                              apply.lastError().nativeErrorCode());
        QSqlQuery record(c.db());
        record.prepare(
            QStringLiteral("INSERT INTO %1.schema_migrations (version, name) VALUES (?, ?)")
                .arg(d->s));
        record.addBindValue(m.version);
        record.addBindValue(m.name);
        if (!record.exec())
            return queryError(c, record, QStringLiteral("recording migration"));
        qCInfo(lcStore).noquote() << "applied migration" << m.version << m.name << "to schema"
                                  << d->settings.schema;
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    return latest;
}

Result<int> Store::schemaVersion()
{
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    q.prepare(QStringLiteral("SELECT to_regclass(?) IS NOT NULL"));
    q.addBindValue(d->s + QStringLiteral(".schema_migrations"));
    if (!q.exec() || !q.next())
        return queryError(lease.value(), q, QStringLiteral("schema version"));
    if (!q.value(0).toBool())
        return 0;
    if (!q.exec(
            QStringLiteral("SELECT coalesce(max(version), 0) FROM %1.schema_migrations").arg(d->s))
        || !q.next())
        return queryError(lease.value(), q, QStringLiteral("schema version"));
    return q.value(0).toInt();
}

Result<Done> Store::ping()
{
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    if (!q.exec(QStringLiteral("SELECT 1")))
        return queryError(lease.value(), q, QStringLiteral("ping"));
    return Done {};
}

Result<Capabilities> Store::capabilities()
{
    auto version = schemaVersion();
    if (!version)
        return version.error();
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    // Any append_events the schema has, whatever its signature (it changes between
    // migrations); none at all means no appends either.
    q.prepare(QStringLiteral(
        "SELECT current_setting('server_version'), current_user, current_database(), "
        "coalesce(has_table_privilege(to_regclass(?), 'INSERT'), false), "
        "coalesce((SELECT bool_and(has_function_privilege(p.oid, 'EXECUTE')) FROM pg_proc p "
        "          JOIN pg_namespace n ON n.oid = p.pronamespace "
        "          WHERE n.nspname = ? AND p.proname = 'append_events'), false)"));
    q.addBindValue(d->s + QStringLiteral(".events"));
    q.addBindValue(d->settings.schema);
    if (!q.exec() || !q.next())
        return queryError(lease.value(), q, QStringLiteral("capabilities"));
    Capabilities c;
    c.server.serverVersion = q.value(0).toString();
    c.server.user = q.value(1).toString();
    c.server.database = q.value(2).toString();
    c.schemaVersion = version.value();
    const bool canInsert = q.value(3).toBool();
    const bool canExecute = q.value(4).toBool();
    c.canAppend = canInsert && canExecute;
    if (c.schemaVersion == 0)
        c.readOnlyReason = QStringLiteral("schema %1 does not exist").arg(d->settings.schema);
    else if (!c.canAppend)
        c.readOnlyReason = QStringLiteral("role %1 cannot %2")
                               .arg(c.server.user,
                                    !canInsert ? QStringLiteral("insert events")
                                               : QStringLiteral("call append_events"));
    q.finish();
    return c;
}

Result<ServerInfo> Store::testConnection(const ConnectionOptions &options)
{
    ConnectionPool::Settings ps;
    ps.maxConnections = 1;
    ConnectionPool pool(options, ps);
    auto lease = pool.acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    if (!q.exec(QStringLiteral(
            "SELECT current_setting('server_version'), current_user, current_database()"))
        || !q.next())
        return queryError(lease.value(), q, QStringLiteral("connection test"));
    ServerInfo info;
    info.serverVersion = q.value(0).toString();
    info.user = q.value(1).toString();
    info.database = q.value(2).toString();
    q.finish();
    return info;
}

// ---------------------------------------------------------------- appends

QString Store::validateEvent(const NewEvent &event) const
{
    if (event.type.isEmpty())
        return QStringLiteral("an event type cannot be empty");
    if (event.type.size() > kMaxTypeLength)
        return QStringLiteral("an event type is at most %1 characters").arg(kMaxTypeLength);
    for (const QChar c : event.type) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return QStringLiteral("an event type cannot contain control characters");
    }
    return {};
}

namespace {

// One element of a PostgreSQL array literal, quoted.
void appendArrayElement(QByteArray &out, const QByteArray &text)
{
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

QByteArray payloadOf(const NewEvent &e)
{
    return e.data.trimmed().isEmpty() ? QByteArray("{}") : e.data;
}

} // namespace

// The batch as four array literals (ids, types, data, metadata) for append_events(). What the
// server checks anyway (JSON syntax) is not parsed here: on the happy path each payload is
// parsed once, by jsonb. When the server refuses one, diagnoseBatch() says which and why.
Result<QList<QByteArray>> Store::encodeBatch(const QList<NewEvent> &events,
                                             const QList<QUuid> &ids) const
{
    const qsizetype payload = std::accumulate(
        events.begin(), events.end(), qsizetype(0),
        [](qsizetype n, const NewEvent &e) { return n + e.data.size() + e.metadata.size(); });
    QByteArray idList, typeList, dataList, metaList;
    idList.reserve(events.size() * 38 + 2);
    typeList.reserve(events.size() * 24 + 2);
    dataList.reserve(payload + payload / 8 + events.size() * 3 + 2);
    metaList.reserve(events.size() * 8 + 2);
    idList += '{';
    typeList += '{';
    dataList += '{';
    metaList += '{';
    for (qsizetype i = 0; i < events.size(); ++i) {
        const NewEvent &e = events.at(i);
        const QString where
            = events.size() > 1 ? QStringLiteral("event %1: ").arg(i + 1) : QString();
        if (QString why = validateEvent(e); !why.isEmpty())
            return invalidInput(where + why);
        const qint64 bytes = e.data.size() + e.metadata.size();
        if (bytes > d->settings.maxEventBytes)
            return StoreError(
                StoreError::Kind::PayloadTooLarge,
                QStringLiteral("%1payload and metadata are %2 bytes, over the limit of %3 bytes")
                    .arg(where)
                    .arg(bytes)
                    .arg(d->settings.maxEventBytes));
        // A NUL byte cannot travel in a text parameter at all: refuse it here.
        if (e.data.contains('\0'))
            return invalidInput(where + QStringLiteral("the payload contains a NUL byte"));
        if (e.metadata.contains('\0'))
            return invalidInput(where + QStringLiteral("the metadata contains a NUL byte"));
        if (i) {
            idList += ',';
            typeList += ',';
            dataList += ',';
            metaList += ',';
        }
        idList += ids.at(i).toByteArray(QUuid::WithoutBraces);
        appendArrayElement(typeList, e.type.toUtf8());
        appendArrayElement(dataList, payloadOf(e));
        if (e.metadata.trimmed().isEmpty())
            metaList += "NULL";
        else
            appendArrayElement(metaList, e.metadata);
    }
    idList += '}';
    typeList += '}';
    dataList += '}';
    metaList += '}';
    return QList<QByteArray> {idList, typeList, dataList, metaList};
}

// Turns the server's refusal of a batch's JSON into a precise error: which event, payload or
// metadata, what is wrong and where.
StoreError Store::diagnoseBatch(const QList<NewEvent> &events, const StoreError &serverError) const
{
    for (qsizetype i = 0; i < events.size(); ++i) {
        const NewEvent &e = events.at(i);
        const QString where
            = events.size() > 1 ? QStringLiteral("event %1: ").arg(i + 1) : QString();
        const QList<std::pair<QString, QByteArray>> parts {
            {QStringLiteral("the payload "), payloadOf(e)},
            {QStringLiteral("the metadata "),
             e.metadata.trimmed().isEmpty() ? QByteArray() : e.metadata}};
        for (const auto &[what, json] : parts) {
            if (json.isNull())
                continue;
            if (QString why = jsonProblem(json); !why.isEmpty())
                return StoreError(why.startsWith(QLatin1String("is not"))
                                      ? StoreError::Kind::InvalidJson
                                      : StoreError::Kind::InvalidInput,
                                  where + what + why, serverError.sqlState());
        }
    }
    return serverError;
}

namespace {

// A time-ordered UUID (version 7): 48 bits of Unix milliseconds, then random bits. New ids
// land at the right edge of the event id index instead of on random pages.
QUuid newEventId()
{
    QByteArray bytes(16, Qt::Uninitialized);
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        bytes[i] = char((ms >> (8 * (5 - i))) & 0xff);
    QRandomGenerator *rng = QRandomGenerator::global();
    const quint64 r1 = rng->generate64();
    const quint32 r2 = rng->generate();
    for (int i = 6; i < 14; ++i)
        bytes[i] = char((r1 >> (8 * (i - 6))) & 0xff);
    bytes[14] = char(r2 & 0xff);
    bytes[15] = char((r2 >> 8) & 0xff);
    bytes[6] = char((bytes[6] & 0x0f) | 0x70); // version 7
    bytes[8] = char((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    return QUuid::fromRfc4122(bytes);
}

QList<QUuid> assignIds(const QList<NewEvent> &events)
{
    QList<QUuid> ids;
    ids.reserve(events.size());
    for (const NewEvent &e : events)
        ids.append(e.id.isNull() ? newEventId() : e.id);
    return ids;
}

} // namespace

Result<AppendResult> Store::append(const StreamName &stream, ExpectedVersion expected,
                                   const QList<NewEvent> &events)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (!expected.isValid())
        return invalidInput(QStringLiteral("an expected version cannot be negative"));
    if (events.isEmpty())
        return invalidInput(QStringLiteral("an append needs at least one event"));
    if (events.size() > d->settings.maxEventsPerAppend)
        return invalidInput(
            QStringLiteral("at most %1 events in one append").arg(d->settings.maxEventsPerAppend));
    const QList<QUuid> ids = assignIds(events);
    auto result = appendOnce(stream, expected, events, ids);
    if (!result && result.error().kind() == StoreError::Kind::ConnectionLost
        && d->settings.retryOnConnectionLoss) {
        qCInfo(lcStore)
            << "connection lost during an append; retrying once with the same event ids";
        result = appendOnce(stream, expected, events, ids);
    }
    // The same batch sent twice at the same moment: the loser hits the event id index; sent
    // again it finds the winner's events and reports the earlier result.
    if (!result && result.error().kind() == StoreError::Kind::DuplicateEventId
        && result.error().message().contains(QLatin1String("events_event_id_key")))
        result = appendOnce(stream, expected, events, ids);
    if (result && result->status == AppendResult::Status::Appended && d->sequencer)
        d->sequencer->wake();
    return result;
}

namespace {

AppendResult readAppendRow(const NativeResult &r, const QString &stream, const QList<QUuid> &ids)
{
    AppendResult out;
    out.stream = stream;
    const int status = int(r.int64(0, 0));
    const qint64 first = r.int64(0, 1);
    const qint64 last = r.int64(0, 2);
    if (status == 1) {
        out.status = AppendResult::Status::WrongExpectedVersion;
        out.actualVersion = last;
        out.firstVersion = StreamVersion(last < 0 ? 0 : last);
        out.lastVersion = StreamVersion(last < 0 ? 0 : last);
        return out;
    }
    out.status
        = status == 2 ? AppendResult::Status::AlreadyAppended : AppendResult::Status::Appended;
    out.firstVersion = StreamVersion(first);
    out.lastVersion = StreamVersion(last);
    out.actualVersion = last;
    out.eventIds = ids;
    return out;
}

} // namespace

Result<AppendResult> Store::appendOnce(const StreamName &stream, ExpectedVersion expected,
                                       const QList<NewEvent> &events, const QList<QUuid> &ids)
{
    auto batch = encodeBatch(events, ids);
    if (!batch)
        return batch.error();
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    return execAppend(lease.value(), stream, expected, events, batch.value(), ids);
}

Result<AppendResult> Store::execAppend(PooledConnection &c, const StreamName &stream,
                                       ExpectedVersion expected, const QList<NewEvent> &events,
                                       const QList<QByteArray> &batch, const QList<QUuid> &ids)
{
    auto r = execNative(c, d->appendSql,
                        {stream.value().toUtf8(), num(expected.code()), batch.at(0), batch.at(1),
                         batch.at(2), batch.at(3)},
                        QStringLiteral("append to \"%1\"").arg(stream.value()));
    if (!r) {
        const StoreError &err = r.error();
        if (err.kind() == StoreError::Kind::InvalidJson
            || err.kind() == StoreError::Kind::InvalidInput)
            return diagnoseBatch(events, err);
        return err;
    }
    if (r->rows() != 1)
        return StoreError(StoreError::Kind::Other,
                          QStringLiteral("append_events returned %1 rows").arg(r->rows()));
    return readAppendRow(r.value(), stream.value(), ids);
}

Result<MultiAppendResult> Store::appendMulti(const QList<StreamAppend> &appends)
{
    if (appends.isEmpty())
        return invalidInput(QStringLiteral("a multi-stream append needs at least one stream"));
    QList<QList<QUuid>> ids;
    for (const StreamAppend &a : appends) {
        if (QString why = StreamName::validate(a.stream.value()); !why.isEmpty())
            return invalidInput(why);
        if (!a.expected.isValid())
            return invalidInput(QStringLiteral("an expected version cannot be negative"));
        if (a.events.isEmpty())
            return invalidInput(QStringLiteral("stream \"%1\": an append needs at least one event")
                                    .arg(a.stream.value()));
        ids.append(assignIds(a.events));
    }
    auto result = appendMultiOnce(appends, ids);
    if (!result && result.error().kind() == StoreError::Kind::ConnectionLost
        && d->settings.retryOnConnectionLoss)
        result = appendMultiOnce(appends, ids);
    if (result && result->committed && d->sequencer)
        d->sequencer->wake();
    return result;
}

Result<MultiAppendResult> Store::appendMultiOnce(const QList<StreamAppend> &appends,
                                                 const QList<QList<QUuid>> &ids)
{
    QList<QList<QByteArray>> batches;
    for (qsizetype i = 0; i < appends.size(); ++i) {
        auto b = encodeBatch(appends.at(i).events, ids.at(i));
        if (!b)
            return StoreError(b.error().kind(),
                              QStringLiteral("stream \"%1\": %2")
                                  .arg(appends.at(i).stream.value(), b.error().message()));
        batches.append(b.value());
    }
    // Lock streams in name order so that concurrent multi-stream appends cannot deadlock.
    QList<qsizetype> order(appends.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return appends.at(a).stream.value().toUtf8() < appends.at(b).stream.value().toUtf8();
    });

    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    // All the streams' locks first, before anything assigns this transaction an id, so that
    // the id is larger than those of all earlier appends to these streams (the global order
    // then follows every stream's versions, and this append's events stay together).
    QStringList names;
    for (const StreamAppend &a : appends)
        names.append(a.stream.value());
    if (auto locked = execNative(c, d->lockStreamsSql, {textArrayLiteral(names).toUtf8()},
                                 QStringLiteral("lock streams"));
        !locked)
        return locked.error();
    MultiAppendResult out;
    out.results.resize(appends.size());
    bool conflict = false;
    for (qsizetype i : order) {
        auto row = execAppend(c, appends.at(i).stream, appends.at(i).expected, appends.at(i).events,
                              batches.at(i), ids.at(i));
        if (!row) {
            if (appends.size() == 1)
                return row.error();
            return StoreError(row.error().kind(),
                              QStringLiteral("stream \"%1\": %2")
                                  .arg(appends.at(i).stream.value(), row.error().message()),
                              row.error().sqlState());
        }
        conflict = conflict || row->isConflict();
        out.results[i] = row.value();
    }
    if (conflict) {
        tx.rollback();
        out.committed = false;
        return out;
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    out.committed = true;
    return out;
}

// ---------------------------------------------------------------- reads

Result<QList<RecordedEvent>> Store::readStream(const StreamName &stream, StreamVersion from,
                                               Direction direction, int limit)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a read limit is between 1 and %1").arg(kMaxLimit));
    if (from.value < 0 && direction == Direction::Forward)
        return invalidInput(QStringLiteral("a version cannot be negative"));
    qint64 start = from.value;
    if (direction == Direction::Backward && start <= 0)
        start = std::numeric_limits<qint64>::max();
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto r = execNative(c, direction == Direction::Forward ? d->readForwardSql : d->readBackwardSql,
                        {stream.value().toUtf8(), num(start), num(limit)},
                        QStringLiteral("read stream \"%1\"").arg(stream.value()));
    if (!r)
        return r.error();
    QList<RecordedEvent> out;
    const int rows = r->rows();
    out.reserve(rows);
    const QString name = stream.value();
    for (int row = 0; row < rows; ++row)
        out.append(eventFromNative(r.value(), row, &name));
    return out;
}

Result<GlobalPage> Store::readAll(GlobalPosition from, int limit, const GlobalFilter &filter)
{
    return readGlobal(from, limit, filter, Direction::Forward);
}

Result<GlobalPage> Store::readAllBackward(GlobalPosition from, int limit,
                                          const GlobalFilter &filter)
{
    return readGlobal(from, limit, filter, Direction::Backward);
}

Result<GlobalPage> Store::readGlobal(GlobalPosition from, int limit, const GlobalFilter &filter,
                                     Direction direction)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a read limit is between 1 and %1").arg(kMaxLimit));
    const bool forward = direction == Direction::Forward;
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto hq = execNative(c, d->headSql, {}, QStringLiteral("read head"));
    if (!hq)
        return hq.error();
    const qint64 head = hq->rows() > 0 ? hq->int64(0, 0) : 0;

    GlobalPage page;
    page.head = GlobalPosition(head);
    // Forwards: positions [low, high) from `from` up; backwards: from `from` (or the head) down.
    const qint64 start = forward ? qMax<qint64>(1, from.value)
                                 : (from.value <= 0 || from.value > head ? head : from.value);
    page.next = GlobalPosition(start);
    if (forward ? start > head : start < 1)
        return page;

    // A filtered read looks at a bounded window of positions, so a rare type cannot make
    // one call scan the whole table; `next` says where to go on.
    const qint64 window = filter.isEmpty() ? std::numeric_limits<qint64>::max() / 2
                                           : qMax<qint64>(qint64(limit) * 16, 65536);
    const qint64 low = forward ? start : qMax<qint64>(1, start - window + 1);
    const qint64 high = forward
        ? std::min(head + 1, start + qMin(window, std::numeric_limits<qint64>::max() - start))
        : start + 1;
    QString sql = d->readAllSql;
    QList<QByteArray> params {num(low), num(high)};
    if (!filter.types.isEmpty()) {
        params << textArrayLiteral(filter.types).toUtf8();
        sql += QStringLiteral("AND e.type = ANY($%1::text[]) ").arg(params.size());
    }
    if (!filter.streamPrefix.isEmpty()) {
        params << filter.streamPrefix.toUtf8();
        sql += QStringLiteral("AND st.name >= $%1 AND st.name < $%1 || chr(1114111) AND "
                              "starts_with(st.name, $%1) ")
                   .arg(params.size());
    }
    params << num(limit);
    sql += QStringLiteral("ORDER BY g.position %1 LIMIT $%2")
               .arg(forward ? QStringLiteral("ASC") : QStringLiteral("DESC"))
               .arg(params.size());
    auto r = execNative(c, sql, params, QStringLiteral("read all"));
    if (!r)
        return r.error();
    const int rows = r->rows();
    page.events.reserve(rows);
    for (int row = 0; row < rows; ++row)
        page.events.append(eventFromNative(r.value(), row, nullptr));
    if (page.events.size() == limit)
        page.next = GlobalPosition(page.events.last().position.value + (forward ? 1 : -1));
    else
        page.next = GlobalPosition(forward ? high : low - 1);
    return page;
}

namespace {

// The columns streamInfoFromRow() reads; last_row is the recency key.
const QString kStreamColumns = QStringLiteral("name, version, created_at, updated_at, last_row");

StreamInfo streamInfoFromRow(const QSqlQuery &q)
{
    StreamInfo s;
    s.name = q.value(0).toString();
    s.version = StreamVersion(q.value(1).toLongLong());
    s.created = utc(q.value(2));
    s.updated = utc(q.value(3));
    s.recency = q.value(4).toLongLong();
    return s;
}

} // namespace

Result<StreamPage> Store::listStreams(const StreamCursor &after, int limit, StreamOrder order,
                                      const QString &prefix)
{
    if (limit < 1 || limit > kMaxLimit)
        return invalidInput(QStringLiteral("a list limit is between 1 and %1").arg(kMaxLimit));
    QString sql = QStringLiteral("SELECT %1 FROM %2.streams WHERE ").arg(kStreamColumns, d->s);
    QVariantList binds;
    if (order == StreamOrder::ByName) {
        sql += QStringLiteral("name > ? ");
        binds << (after.valid ? after.name : QStringLiteral("")); // a null QString binds as NULL
    } else {
        sql += QStringLiteral("last_row < ? ");
        binds << (after.valid ? after.recency : std::numeric_limits<qint64>::max());
    }
    if (!prefix.isEmpty()) {
        sql += QStringLiteral(
            "AND name >= ? AND name < ? || chr(1114111) AND starts_with(name, ?) ");
        binds << prefix << prefix << prefix;
    }
    sql += order == StreamOrder::ByName ? QStringLiteral("ORDER BY name LIMIT ?")
                                        : QStringLiteral("ORDER BY last_row DESC LIMIT ?");
    binds << limit + 1;
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto q = c.prepared(sql);
    if (!q)
        return q.error();
    QSqlQuery *query = q.value();
    for (int i = 0; i < binds.size(); ++i)
        query->bindValue(i, binds.at(i));
    if (!query->exec())
        return queryError(c, *query, QStringLiteral("list streams"));
    StreamPage page;
    while (query->next()) {
        if (page.streams.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.streams.append(streamInfoFromRow(*query));
    }
    query->finish();
    if (!page.streams.isEmpty()) {
        page.next.valid = true;
        page.next.name = page.streams.last().name;
        page.next.recency = page.streams.last().recency;
    } else {
        page.next = after;
    }
    return page;
}

Result<std::optional<StreamInfo>> Store::streamInfo(const StreamName &stream)
{
    if (QString why = StreamName::validate(stream.value()); !why.isEmpty())
        return invalidInput(why);
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto q = c.prepared(
        QStringLiteral("SELECT %1 FROM %2.streams WHERE name = ?").arg(kStreamColumns, d->s));
    if (!q)
        return q.error();
    QSqlQuery *query = q.value();
    query->bindValue(0, stream.value());
    if (!query->exec())
        return queryError(c, *query, QStringLiteral("stream info"));
    std::optional<StreamInfo> out;
    if (query->next()) {
        out = streamInfoFromRow(*query);
    }
    query->finish();
    return out;
}

Result<GlobalPosition> Store::headPosition()
{
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto q = c.prepared(d->headSql);
    if (!q)
        return q.error();
    if (!q.value()->exec() || !q.value()->next())
        return queryError(c, *q.value(), QStringLiteral("head position"));
    const qint64 head = q.value()->value(0).toLongLong();
    q.value()->finish();
    return GlobalPosition(head);
}

Result<StoreStats> Store::stats()
{
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    QSqlQuery q(c.db());
    // The cursor first: with it as constants, the pending count is a range scan of
    // events_tx_id_idx rather than a join the planner may turn into a full scan.
    if (!q.exec(QStringLiteral("SELECT last_tx::text, last_id, last_position FROM %1.sequencer")
                    .arg(d->s))
        || !q.next())
        return queryError(c, q, QStringLiteral("stats"));
    const QString lastTx = q.value(0).toString();
    const qint64 lastId = q.value(1).toLongLong();
    StoreStats s;
    s.headPosition = q.value(2).toLongLong();
    q.prepare(QStringLiteral("SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - "
                             "min(e.created_at)), 0)::float8 "
                             "FROM %1.events e WHERE (e.tx, e.id) > (?::xid8, ?)")
                  .arg(d->s));
    q.addBindValue(lastTx);
    q.addBindValue(lastId);
    if (!q.exec() || !q.next())
        return queryError(c, q, QStringLiteral("stats"));
    s.pending = q.value(0).toLongLong();
    s.lagSeconds = q.value(1).toDouble();
    s.events = s.headPosition + s.pending;
    q.prepare(QStringLiteral(
                  "SELECT (SELECT count(*) FROM %1.streams), "
                  "pg_snapshot_xmin(pg_current_snapshot())::text, "
                  "       (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                  "          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND "
                  "c.relkind = 'r')::int8, "
                  "       pg_total_relation_size(?::regclass)::int8")
                  .arg(d->s));
    q.addBindValue(d->settings.schema);
    q.addBindValue(d->s + QStringLiteral(".events"));
    if (!q.exec() || !q.next())
        return queryError(c, q, QStringLiteral("stats"));
    s.streams = q.value(0).toLongLong();
    s.oldestRunningXid = s.pending > 0 ? q.value(1).toString() : QString();
    s.totalBytes = q.value(2).toLongLong();
    s.eventsBytes = q.value(3).toLongLong();
    return s;
}

// ---------------------------------------------------------------- sequencing

Result<SequencerStep> Store::sequenceStep(int maxRows)
{
    auto lease = d->pool->acquire();
    if (!lease)
        return lease.error();
    PooledConnection &c = lease.value();
    auto q = c.prepared(d->stepSql);
    if (!q)
        return q.error();
    QSqlQuery *query = q.value();
    query->bindValue(0, qMax(1, maxRows));
    if (!query->exec() || !query->next())
        return queryError(c, *query, QStringLiteral("sequencer step"));
    SequencerStep step;
    step.numbered = query->value(0).toLongLong();
    step.head = GlobalPosition(query->value(1).toLongLong());
    step.pending = query->value(2).toBool();
    query->finish();
    return step;
}

Result<GlobalPosition> Store::sequenceNow(std::chrono::milliseconds timeout)
{
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + timeout;
    auto backoff = std::chrono::milliseconds(1);
    GlobalPosition head;
    while (true) {
        auto step = sequenceStep();
        if (!step)
            return step.error();
        if (step->numbered >= 0)
            head = step->head;
        if (step->numbered == 0 && !step->pending)
            break;
        if (step->numbered > 0) {
            backoff = std::chrono::milliseconds(1);
            continue;
        }
        if (clock::now() >= deadline)
            break;
        QThread::msleep(static_cast<unsigned long>(backoff.count()));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(20));
    }
    if (head.value == 0) {
        auto h = headPosition();
        if (!h)
            return h.error();
        head = h.value();
    }
    return head;
}

} // namespace eventium
