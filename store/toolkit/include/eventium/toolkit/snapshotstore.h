#pragma once

#include "eventium/result.h"
#include "eventium/store.h"

#include <QByteArray>
#include <QDateTime>
#include <QUuid>

#include <optional>

namespace eventium::toolkit {

// A saved state of one stream's aggregate after a given event.
struct Snapshot
{
    QString stream;
    // Which state this is: several handlers may keep snapshots of the same stream.
    QString name;
    StreamVersion version; // the version of the last event folded into the state
    QUuid eventId; // that event's id: a snapshot whose event is gone is ignored
    int stateVersion = 1; // the version of the state's JSON format
    QByteArray state; // the state as JSON text
    QDateTime taken; // UTC; informational
};

// Snapshots in the store's schema (table `snapshots`, migration 0002). One snapshot per
// (stream, name): saving keeps the newer one. Thread safe like the Store it uses.
//
// A snapshot is only an optimisation: readers must treat it as a hint and verify it
// (loadAggregate in commandhandler.h checks the event id, the state version and that the
// state decodes, and falls back to a full replay otherwise).
class SnapshotStore
{
public:
    explicit SnapshotStore(Store &store);

    // nullopt when there is none.
    Result<std::optional<Snapshot>> load(const QString &stream, const QString &name);
    // Inserts or replaces the snapshot of (stream, name). An existing snapshot of a later
    // version with the same state version is kept. Returns whether this one was stored.
    Result<bool> save(const Snapshot &snapshot);
    // Removes the snapshot of (stream, name); returns whether there was one.
    Result<bool> remove(const QString &stream, const QString &name);
    // Number of snapshots (all streams, all names).
    Result<qint64> count();

private:
    Store &m_store;
};

} // namespace eventium::toolkit
