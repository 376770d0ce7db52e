#include "walstats.h"

#include "pgconnection.h"

namespace bench {

std::optional<WalCounters> WalCounters::snapshot(PgConnection &conn, QString *error)
{
    eventium::pg::Rows r = conn.query(QStringLiteral(
        "SELECT wal_records, wal_fpi, wal_bytes::int8, wal_write, wal_sync, wal_write_time, "
        "wal_sync_time, (SELECT sum(calls)::int8 FROM pg_stat_user_functions WHERE funcname "
        "= 'sequence_step'), current_setting('track_functions') FROM pg_stat_wal"));
    if (!r.ok() || r.rows() != 1) {
        *error = r.ok() ? QStringLiteral("pg_stat_wal gave no row") : PgConnection::errorText(r);
        return std::nullopt;
    }
    WalCounters c;
    c.records = r.int64(0, 0);
    c.fpi = r.int64(0, 1);
    c.bytes = r.int64(0, 2);
    c.writes = r.int64(0, 3);
    c.syncs = r.int64(0, 4);
    c.writeMs = r.string(0, 5).toDouble();
    c.syncMs = r.string(0, 6).toDouble();
    if (r.string(0, 8) != QLatin1String("none"))
        c.steps = r.isNull(0, 7) ? 0 : r.int64(0, 7);
    return c;
}

WalCounters WalCounters::operator-(const WalCounters &before) const
{
    WalCounters d;
    d.records = records - before.records;
    d.fpi = fpi - before.fpi;
    d.bytes = bytes - before.bytes;
    d.writes = writes - before.writes;
    d.syncs = syncs - before.syncs;
    d.writeMs = writeMs - before.writeMs;
    d.syncMs = syncMs - before.syncMs;
    if (steps && before.steps)
        d.steps = *steps - *before.steps;
    return d;
}

WalCounters &WalCounters::operator+=(const WalCounters &other)
{
    records += other.records;
    fpi += other.fpi;
    bytes += other.bytes;
    writes += other.writes;
    syncs += other.syncs;
    writeMs += other.writeMs;
    syncMs += other.syncMs;
    steps = steps && other.steps ? std::optional<qint64>(*steps + *other.steps) : std::nullopt;
    return *this;
}

void WalFigures::add(const WalCounters &round, qint64 roundEvents, double roundSeconds)
{
    if (rounds == 0)
        total = round;
    else
        total += round;
    ++rounds;
    events += roundEvents;
    seconds += roundSeconds;
}

QString WalFigures::perEventText() const
{
    if (events == 0)
        return QStringLiteral("n/a");
    const double n = double(events);
    QString text = QStringLiteral("%1 records, %2 FPI, %3 B, %4 flushes, %5 ms sync")
                       .arg(total.records / n, 0, 'f', 2)
                       .arg(total.fpi / n, 0, 'f', 3)
                       .arg(total.bytes / n, 0, 'f', 0)
                       .arg(total.syncs / n, 0, 'f', 3)
                       .arg(total.syncMs / n, 0, 'f', 3);
    if (total.steps && *total.steps > 0 && seconds > 0)
        text += QStringLiteral(", %1 sequencer steps/s").arg(*total.steps / seconds, 0, 'f', 0);
    return text;
}

QJsonObject WalFigures::toJson() const
{
    QJsonObject o;
    const double n = double(qMax<qint64>(events, 1));
    o.insert(QStringLiteral("events"), double(events));
    o.insert(QStringLiteral("records_per_event"), total.records / n);
    o.insert(QStringLiteral("fpi_per_event"), total.fpi / n);
    o.insert(QStringLiteral("bytes_per_event"), total.bytes / n);
    o.insert(QStringLiteral("writes_per_event"), total.writes / n);
    o.insert(QStringLiteral("flushes_per_event"), total.syncs / n);
    o.insert(QStringLiteral("write_ms_per_event"), total.writeMs / n);
    o.insert(QStringLiteral("sync_ms_per_event"), total.syncMs / n);
    if (total.steps && seconds > 0)
        o.insert(QStringLiteral("sequencer_steps_per_second"), *total.steps / seconds);
    return o;
}

} // namespace bench
