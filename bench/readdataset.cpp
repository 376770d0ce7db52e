#include "readdataset.h"

#include "benchcontext.h"
#include "pgconnection.h"
#include "workload.h"

#include <eventium/store.h>

#include <QDateTime>
#include <QElapsedTimer>

#include <algorithm>
#include <chrono>
#include <thread>

namespace bench {

ReadDataSet::ReadDataSet() = default;

ReadDataSet::~ReadDataSet() = default;

bool ReadDataSet::setUp(const eventium::ConnectionOptions &options, QString *error)
{
    eventium::StoreSettings settings;
    settings.schema = QLatin1String(BenchContext::oursReadSchema);
    settings.runSequencer = false;
    m_store = std::make_unique<eventium::Store>(options, settings);
    if (auto r = m_store->migrate(); !r) {
        *error = r.error().toString();
        return false;
    }
    return true;
}

void ReadDataSet::tearDown()
{
    m_store.reset();
}

bool ReadDataSet::numberAll(QString *error)
{
    // Everything in as few steps as possible (one step is at most maxRows events).
    for (int step = 0; step < 1000; ++step) {
        auto r = m_store->sequenceStep(int(std::min<qint64>(m_events, 1000000)));
        if (!r) {
            *error = r.error().toString();
            return false;
        }
        if (r->numbered == 0 && !r->pending)
            break;
        if (r->numbered <= 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto head = m_store->sequenceNow(std::chrono::seconds(300));
    if (!head || head->value < m_events) {
        *error = head
            ? QStringLiteral("only %1 of %2 events numbered").arg(head->value).arg(m_events)
            : head.error().toString();
        return false;
    }
    return true;
}

bool ReadDataSet::load(const BenchContext &context, QString *error)
{
    if (m_loaded)
        return true;
    const BenchConfig &config = context.config();
    m_streams = int(config.readEvents / config.streamLength);
    m_events = qint64(m_streams) * config.streamLength;
    QElapsedTimer timer;
    timer.start();
    // Ours through the API: one append of a whole stream per call.
    for (int s = 0; s < m_streams; ++s) {
        auto r = m_store->append(
            eventium::StreamName(Workload::readStreamName(s)),
            eventium::ExpectedVersion::noStream(),
            Workload::newEvents(qint64(s) * config.streamLength, config.streamLength));
        if (!r || r->isConflict()) {
            *error = r ? QStringLiteral("conflict while loading") : r.error().toString();
            return false;
        }
    }
    const qint64 appendMs = timer.restart();
    if (!numberAll(error))
        return false;
    const qint64 sequenceMs = timer.restart();
    context.progress(
        QStringLiteral("loaded %1 events into ours through Store::append (%2 events/append): "
                       "%3 ms (%4 events/s); numbering finished %5 ms later")
            .arg(m_events)
            .arg(config.streamLength)
            .arg(appendMs)
            .arg(double(m_events) * 1000.0 / double(std::max<qint64>(1, appendMs)), 0, 'f', 0)
            .arg(sequenceMs));
    PgConnection admin(context.conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    for (const char *s : {BenchContext::rawSchema, BenchContext::lockSchema}) {
        if (!Workload::copyLoad(admin, QLatin1String(s), QStringLiteral("events_read"), m_streams,
                                config.streamLength, error)
            || !admin.exec(Workload::addKeysSql(QLatin1String(s), QStringLiteral("events_read")),
                           error))
            return false;
    }
    context.progress(
        QStringLiteral("loaded %1 events into raw and lock by COPY (keys built afterwards): %2 ms")
            .arg(m_events)
            .arg(timer.restart()));
    if (!admin.exec(QStringLiteral("VACUUM ANALYZE"), error))
        return false;
    context.progress(QStringLiteral("VACUUM ANALYZE: %1 ms").arg(timer.restart()));
    m_loaded = true;
    return true;
}

namespace {

double secondsOf(QElapsedTimer &timer)
{
    return double(timer.restart()) / 1000.0;
}

// Runs `sql` with text parameters; false with an error.
bool execParams(PgConnection &conn, const QString &sql, const QList<QByteArray> &params,
                QString *error)
{
    eventium::pg::Rows r = conn.execParams(sql, params);
    if (!r.ok()) {
        *error = PgConnection::errorText(r);
        return false;
    }
    return true;
}

// Whether the event numbered `n` (of stream n / length, version n % length + 1) is what
// Workload gives for it, asked by `sql` of ours' or raw's tables: the SQL that generated the
// events and the C++ that appends them agree.
bool checkEvent(PgConnection &conn, const QString &sql, qint64 n, int length, QString *error)
{
    const QString stream = Workload::readStreamName(int(n / length));
    eventium::pg::Rows r = conn.execParams(sql,
                                           {stream.toUtf8(), QByteArray::number(n % length + 1),
                                            Workload::eventType(n).toUtf8(), Workload::eventData(n),
                                            Workload::eventMetadata(n)});
    if (!r.ok() || r.rows() != 1 || r.string(0, 0) != QLatin1String("t")) {
        *error = r.ok() ? QStringLiteral("the event %1 of %2 generated on the server differs from "
                                         "the workload's")
                              .arg(n % length + 1)
                              .arg(stream)
                        : PgConnection::errorText(r);
        return false;
    }
    return true;
}

// The tables' size with their indexes and TOAST, as pg_size_pretty() gives it ("?" on
// failure: only for the progress line).
QString sizeOf(PgConnection &conn, const QStringList &tables)
{
    QStringList sizes;
    for (const QString &t : tables)
        sizes << QStringLiteral("pg_total_relation_size('%1')").arg(t);
    eventium::pg::Rows r = conn.query(
        QStringLiteral("SELECT pg_size_pretty(%1)").arg(sizes.join(QStringLiteral(" + "))));
    return r.ok() && r.rows() == 1 ? r.string(0, 0) : QStringLiteral("?");
}

} // namespace

bool ReadDataSet::loadOnServer(const BenchContext &context, qint64 events, LoadTimes *times,
                               QString *error)
{
    const BenchConfig &config = context.config();
    const int length = config.streamLength;
    m_loaded = false;
    m_streams = int(events / length);
    m_events = qint64(m_streams) * length;
    if (m_streams < 1) {
        *error = QStringLiteral("a size of at least %1 events (one stream)").arg(length);
        return false;
    }
    PgConnection admin(context.conninfo());
    if (!admin.isOk()) {
        *error = admin.errorMessage();
        return false;
    }
    const QString ours = QLatin1String(BenchContext::oursReadSchema);
    const QString raw = QLatin1String(BenchContext::rawSchema);
    const QByteArray count = QByteArray::number(m_events);
    const QByteArray streamLength = QByteArray::number(length);
    const QByteArray prefix = Workload::readStreamPrefix().toUtf8();
    const QString n = QStringLiteral("n");
    QElapsedTimer timer;
    timer.start();

    // Ours: a fresh schema, and the events table's keys and indexes as its migrations made
    // them, to be built again after the rows are in.
    tearDown();
    if (!admin.exec(QStringLiteral("DROP SCHEMA IF EXISTS %1 CASCADE").arg(ours), error)
        || !setUp(context.options(), error))
        return false;
    const QString table = QStringLiteral("%1.events").arg(ours);
    eventium::pg::Rows keys = admin.query(
        QStringLiteral("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = '%1'::regclass AND contype IN ('p', 'u') ORDER BY 1")
            .arg(table));
    eventium::pg::Rows indexes = admin.query(
        QStringLiteral("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
                       "FROM pg_index WHERE indrelid = '%1'::regclass AND indexrelid NOT IN "
                       "(SELECT conindid FROM pg_constraint WHERE conrelid = '%1'::regclass) "
                       "ORDER BY 1")
            .arg(table));
    if (!keys.ok() || !indexes.ok()) {
        *error = PgConnection::errorText(keys.ok() ? indexes : keys);
        return false;
    }
    QStringList drop;
    QStringList build;
    for (int row = 0; row < keys.rows(); ++row) {
        drop << QStringLiteral("ALTER TABLE %1 DROP CONSTRAINT %2").arg(table, keys.string(row, 0));
        build << QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 %3")
                     .arg(table, keys.string(row, 0), keys.string(row, 1));
    }
    for (int row = 0; row < indexes.rows(); ++row) {
        drop << QStringLiteral("DROP INDEX %1").arg(indexes.string(row, 0));
        build << indexes.string(row, 1);
    }
    if (!admin.exec(drop.join(QStringLiteral("; ")), error))
        return false;
    const double oursSchema = secondsOf(timer);

    // The streams with their final versions, then their events in the order load() appends
    // them (stream by stream), all in one transaction, whose id is every row's `tx` (as for
    // an append of whole streams), with ids of version 7: the time (a hundred events a
    // millisecond, ending now), then bits of an md5 of the number.
    const QByteArray nowMs = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    const QByteArray salt = QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 16);
    if (!admin.exec(QStringLiteral("BEGIN"), error)
        || !execParams(admin,
                       QStringLiteral("INSERT INTO %1.streams (name, version, last_row, last_tx) "
                                      "SELECT $1::text || s, $3::int8, "
                                      "nextval('%1.streams_recency_seq'), pg_current_xact_id() "
                                      "FROM generate_series(0, $2::int8 - 1) AS s")
                           .arg(ours),
                       {prefix, QByteArray::number(m_streams), streamLength}, error))
        return false;
    // Stream ids follow the streams' numbers (identity values in insertion order).
    eventium::pg::Rows first = admin.execParams(
        QStringLiteral("SELECT min(stream_id), count(*) FILTER (WHERE stream_id - "
                       "(SELECT min(stream_id) FROM %1.streams) <> substr(name, $1)::int8) "
                       "FROM %1.streams")
            .arg(ours),
        {QByteArray::number(prefix.size() + 1)});
    if (!first.ok() || first.rows() != 1 || first.int64(0, 1) != 0) {
        *error = first.ok() ? QStringLiteral("stream ids do not follow the streams' numbers")
                            : PgConnection::errorText(first);
        admin.exec(QStringLiteral("ROLLBACK"));
        return false;
    }
    const QString md5 = QStringLiteral("md5(n::text || $5)");
    if (!execParams(
            admin,
            QStringLiteral(
                "INSERT INTO %1.events (stream_id, version, event_id, type, data, metadata) "
                "SELECT $1::int8 + n / $2::int8, n % $2::int8 + 1, "
                "(lpad(to_hex($4::int8 - ($3::int8 - 1 - n) / 100), 12, '0') || '7' || "
                "substr(%2, 1, 3) || '8' || substr(%2, 4, 15))::uuid, %3, %4, %5 "
                "FROM generate_series(0, $3::int8 - 1) AS n")
                .arg(ours, md5, Workload::eventTypeSql(n), Workload::eventDataSql(n),
                     Workload::eventMetadataSql(n)),
            {QByteArray::number(first.int64(0, 0)), streamLength, count, nowMs, salt}, error)
        || !admin.exec(QStringLiteral("COMMIT"), error))
        return false;
    const double oursRows = secondsOf(timer);
    for (const QString &sql : build) {
        if (!admin.exec(sql, error))
            return false;
    }
    const double oursIndexes = secondsOf(timer);
    if (!numberAll(error))
        return false;
    const double oursNumbering = secondsOf(timer);
    if (!admin.exec(
            QStringLiteral("VACUUM (ANALYZE) %1.events, %1.streams, %1.global_events").arg(ours),
            error))
        return false;
    const double oursVacuum = secondsOf(timer);
    times->ours = oursSchema + oursRows + oursIndexes + oursNumbering + oursVacuum;
    context.progress(QStringLiteral("loaded %1 events into ours on the server in %2 s: schema "
                                    "%3 s, rows %4 s, keys and indexes %5 s, numbering %6 s, "
                                    "VACUUM ANALYZE %7 s; %8 on disk")
                         .arg(m_events)
                         .arg(times->ours, 0, 'f', 1)
                         .arg(oursSchema, 0, 'f', 1)
                         .arg(oursRows, 0, 'f', 1)
                         .arg(oursIndexes, 0, 'f', 1)
                         .arg(oursNumbering, 0, 'f', 1)
                         .arg(oursVacuum, 0, 'f', 1)
                         .arg(sizeOf(admin,
                                     {table, ours + QStringLiteral(".global_events"),
                                      ours + QStringLiteral(".streams")})));

    // Raw: its table anew, the same events, the keys built afterwards (as load()'s COPY).
    const QString readTable = QStringLiteral("events_read");
    if (!admin.exec(QStringLiteral("DROP TABLE IF EXISTS %1.%2").arg(raw, readTable), error)
        || !admin.exec(Workload::createTableSql(raw, readTable, false), error)
        || !execParams(
            admin,
            QStringLiteral("INSERT INTO %1.%2 (stream, version, id, type, data, "
                           "metadata) SELECT $1::text || n / $2::int8, n % $2::int8 + 1, "
                           "gen_random_uuid(), %3, %4, %5 "
                           "FROM generate_series(0, $3::int8 - 1) AS n")
                .arg(raw, readTable, Workload::eventTypeSql(n), Workload::eventDataSql(n),
                     Workload::eventMetadataSql(n)),
            {prefix, streamLength, count}, error))
        return false;
    const double rawRows = secondsOf(timer);
    if (!admin.exec(Workload::addKeysSql(raw, readTable), error))
        return false;
    const double rawKeys = secondsOf(timer);
    if (!admin.exec(QStringLiteral("VACUUM (ANALYZE) %1.%2").arg(raw, readTable), error))
        return false;
    const double rawVacuum = secondsOf(timer);
    times->raw = rawRows + rawKeys + rawVacuum;
    context.progress(QStringLiteral("loaded %1 events into raw on the server in %2 s: rows %3 s, "
                                    "keys %4 s, VACUUM ANALYZE %5 s; %6 on disk")
                         .arg(m_events)
                         .arg(times->raw, 0, 'f', 1)
                         .arg(rawRows, 0, 'f', 1)
                         .arg(rawKeys, 0, 'f', 1)
                         .arg(rawVacuum, 0, 'f', 1)
                         .arg(sizeOf(admin, {QStringLiteral("%1.%2").arg(raw, readTable)})));

    // The first and the last event of each are what the workload appends.
    const QString oursCheck
        = QStringLiteral("SELECT e.type = $3 AND e.data = $4::jsonb AND e.metadata = $5::jsonb "
                         "FROM %1.events e JOIN %1.streams s USING (stream_id) "
                         "WHERE s.name = $1 AND e.version = $2::int8")
              .arg(ours);
    const QString rawCheck
        = QStringLiteral("SELECT type = $3 AND data = $4::jsonb AND metadata = $5::jsonb "
                         "FROM %1.%2 WHERE stream = $1 AND version = $2::int8")
              .arg(raw, readTable);
    for (const qint64 event : {qint64(0), m_events - 1}) {
        if (!checkEvent(admin, oursCheck, event, length, error)
            || !checkEvent(admin, rawCheck, event, length, error))
            return false;
    }
    m_loaded = true;
    return true;
}

} // namespace bench
