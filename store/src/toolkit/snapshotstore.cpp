#include "eventium/toolkit/snapshotstore.h"

#include <QSqlError>
#include <QSqlQuery>

namespace eventium::toolkit {

namespace {

QString quotedSchema(const Store &store)
{
    return QLatin1Char('"') + store.schema() + QLatin1Char('"');
}

StoreError fail(PooledConnection &c, const QSqlQuery &q, const QString &what)
{
    StoreError err = StoreError::fromSql(q.lastError(), what);
    if (err.kind() == StoreError::Kind::ConnectionLost || c.isDead())
        c.markBroken();
    return err;
}

} // namespace

SnapshotStore::SnapshotStore(Store &store)
    : m_store(store)
{
}

Result<std::optional<Snapshot>> SnapshotStore::load(const QString &stream, const QString &name)
{
    auto lease = m_store.pool().acquire();
    if (!lease)
        return lease.error();
    auto q = lease->prepared(
        QStringLiteral("SELECT stream_version, event_id::text, state_version, state::text, "
                       "taken_at FROM %1.snapshots WHERE stream = ? AND name = ?")
            .arg(quotedSchema(m_store)));
    if (!q)
        return q.error();
    QSqlQuery *query = q.value();
    query->bindValue(0, stream);
    query->bindValue(1, name);
    if (!query->exec())
        return fail(lease.value(), *query, QStringLiteral("load snapshot"));
    std::optional<Snapshot> out;
    if (query->next()) {
        Snapshot s;
        s.stream = stream;
        s.name = name;
        s.version = StreamVersion(query->value(0).toLongLong());
        s.eventId = QUuid(query->value(1).toString());
        s.stateVersion = query->value(2).toInt();
        s.state = query->value(3).toString().toUtf8();
        s.taken = query->value(4).toDateTime().toUTC();
        out = std::move(s);
    }
    query->finish();
    return out;
}

Result<bool> SnapshotStore::save(const Snapshot &s)
{
    if (s.version.value <= 0 || s.eventId.isNull() || s.name.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a snapshot needs a name, a positive version and the "
                                         "id of its event"));
    auto lease = m_store.pool().acquire();
    if (!lease)
        return lease.error();
    // A newer snapshot of the same state version wins; one of another state version is
    // replaced (the writer of the new format is the one that knows better).
    auto q = lease->prepared(
        QStringLiteral(
            "INSERT INTO %1.snapshots AS s (stream, name, stream_version, event_id, "
            "state_version, state) VALUES (?, ?, ?, ?::uuid, ?, ?::jsonb) "
            "ON CONFLICT (stream, name) DO UPDATE SET stream_version = excluded.stream_version, "
            "event_id = excluded.event_id, state_version = excluded.state_version, "
            "state = excluded.state, taken_at = now() "
            "WHERE s.stream_version < excluded.stream_version "
            "OR s.state_version <> excluded.state_version")
            .arg(quotedSchema(m_store)));
    if (!q)
        return q.error();
    QSqlQuery *query = q.value();
    query->bindValue(0, s.stream);
    query->bindValue(1, s.name);
    query->bindValue(2, s.version.value);
    query->bindValue(3, s.eventId.toString(QUuid::WithoutBraces));
    query->bindValue(4, s.stateVersion);
    query->bindValue(5, QString::fromUtf8(s.state));
    if (!query->exec())
        return fail(lease.value(), *query, QStringLiteral("save snapshot"));
    const bool stored = query->numRowsAffected() > 0;
    query->finish();
    return stored;
}

Result<bool> SnapshotStore::remove(const QString &stream, const QString &name)
{
    auto lease = m_store.pool().acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    q.prepare(QStringLiteral("DELETE FROM %1.snapshots WHERE stream = ? AND name = ?")
                  .arg(quotedSchema(m_store)));
    q.addBindValue(stream);
    q.addBindValue(name);
    if (!q.exec())
        return fail(lease.value(), q, QStringLiteral("remove snapshot"));
    return q.numRowsAffected() > 0;
}

Result<qint64> SnapshotStore::count()
{
    auto lease = m_store.pool().acquire();
    if (!lease)
        return lease.error();
    QSqlQuery q(lease->db());
    if (!q.exec(QStringLiteral("SELECT count(*) FROM %1.snapshots").arg(quotedSchema(m_store)))
        || !q.next())
        return fail(lease.value(), q, QStringLiteral("count snapshots"));
    return q.value(0).toLongLong();
}

} // namespace eventium::toolkit
