#include "eventium/toolkit/snapshotstore.h"

#include "pg/sql.h"
#include "storeaccess.h"

namespace eventium::toolkit {

SnapshotStore::SnapshotStore(Store &store)
    : m_store(store)
{
}

Result<std::optional<Snapshot>> SnapshotStore::load(const QString &stream, const QString &name)
{
    auto r = StoreAccess::read(
        m_store,
        QStringLiteral("SELECT stream_version, event_id::text, state_version, state::text, "
                       "(extract(epoch FROM taken_at) * 1000)::int8 FROM %1.snapshots "
                       "WHERE stream = $1 AND name = $2")
            .arg(StoreAccess::schema(m_store)),
        {pg::param(stream), pg::param(name)}, QStringLiteral("load snapshot"));
    if (!r)
        return r.error();
    std::optional<Snapshot> out;
    if (r->rows() > 0) {
        Snapshot s;
        s.stream = stream;
        s.name = name;
        s.version = StreamVersion(r->int64(0, 0));
        s.eventId = QUuid(r->string(0, 1));
        s.stateVersion = int(r->int64(0, 2));
        s.state = r->bytes(0, 3);
        s.taken = QDateTime::fromMSecsSinceEpoch(r->int64(0, 4), Qt::UTC);
        out = std::move(s);
    }
    return out;
}

Result<bool> SnapshotStore::save(const Snapshot &s)
{
    if (s.version.value <= 0 || s.eventId.isNull() || s.name.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a snapshot needs a name, a positive version and the "
                                         "id of its event"));
    // A newer snapshot of the same state version wins; one of another state version is
    // replaced (the writer of the new format is the one that knows better). Saving the same
    // snapshot twice changes nothing, so a lost connection may simply send it again.
    auto r = StoreAccess::read(
        m_store,
        QStringLiteral(
            "INSERT INTO %1.snapshots AS s (stream, name, stream_version, event_id, "
            "state_version, state) VALUES ($1, $2, $3, $4::uuid, $5, $6::jsonb) "
            "ON CONFLICT (stream, name) DO UPDATE SET stream_version = excluded.stream_version, "
            "event_id = excluded.event_id, state_version = excluded.state_version, "
            "state = excluded.state, taken_at = now() "
            "WHERE s.stream_version < excluded.stream_version "
            "OR s.state_version <> excluded.state_version")
            .arg(StoreAccess::schema(m_store)),
        {pg::param(s.stream), pg::param(s.name), pg::param(s.version.value),
         s.eventId.toByteArray(QUuid::WithoutBraces), pg::param(s.stateVersion), s.state},
        QStringLiteral("save snapshot"));
    if (!r)
        return r.error();
    return r->affectedRows() > 0;
}

Result<bool> SnapshotStore::remove(const QString &stream, const QString &name)
{
    auto r = StoreAccess::read(
        m_store,
        QStringLiteral("DELETE FROM %1.snapshots WHERE stream = $1 AND name = $2")
            .arg(StoreAccess::schema(m_store)),
        {pg::param(stream), pg::param(name)}, QStringLiteral("remove snapshot"));
    if (!r)
        return r.error();
    return r->affectedRows() > 0;
}

Result<qint64> SnapshotStore::count()
{
    auto r = StoreAccess::read(
        m_store,
        QStringLiteral("SELECT count(*) FROM %1.snapshots").arg(StoreAccess::schema(m_store)), {},
        QStringLiteral("count snapshots"));
    if (!r)
        return r.error();
    return r->int64(0, 0);
}

} // namespace eventium::toolkit
