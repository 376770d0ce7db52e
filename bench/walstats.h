#pragma once

#include "variant.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace bench {

class PgConnection;

// What the server wrote for a round: pg_stat_wal's counters (every process's WAL: the
// writers', the sequencer's, the WAL writer's and checkpointer's) and the calls of the
// store's sequence_step() (pg_stat_user_functions, with track_functions = 'pl'), as the
// difference between two snapshots. Backends report their counters when they exit, so a
// round's connections are closed before its second snapshot.
struct WalCounters
{
    qint64 records = 0;
    qint64 fpi = 0; // full-page images
    qint64 bytes = 0;
    qint64 writes = 0; // WAL buffers written out (write())
    qint64 syncs = 0; // WAL flushed to disk (fdatasync)
    double writeMs = 0; // with track_wal_io_timing
    double syncMs = 0;
    std::optional<qint64> steps; // sequence_step() calls; nullopt when not tracked

    static std::optional<WalCounters> snapshot(PgConnection &conn, QString *error);
    WalCounters operator-(const WalCounters &before) const;
    WalCounters &operator+=(const WalCounters &other);
};

// A variant's WAL over all rounds of a scenario, per event written.
struct WalFigures
{
    WalCounters total;
    qint64 events = 0;
    double seconds = 0; // the rounds' measured time (steps per second)
    int rounds = 0;

    bool isEmpty() const { return rounds == 0; }
    // Adds a round's difference of snapshots.
    void add(const WalCounters &round, qint64 roundEvents, double roundSeconds);
    // "1.98 records, 0.05 FPI, 540 B, 1.02 flushes, 0.31 ms sync" per event
    QString perEventText() const;
    QJsonObject toJson() const;
};

} // namespace bench
