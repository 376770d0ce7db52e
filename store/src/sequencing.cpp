// The sequencer's steps and the numbers around them (head, pending events, sizes).
#include "pg/sql.h"
#include "storeprivate.h"

#include <QThread>

namespace eventium {

Result<StoreStats> Store::stats()
{
    // The cursor first: with it as constants, the pending count is a range scan of
    // events_tx_id_idx rather than a join the planner may turn into a full scan.
    auto cursor = d->readOn(
        StoreConnection::Read,
        QStringLiteral("SELECT last_tx::text, last_id, last_position FROM %1.sequencer").arg(d->s),
        {}, QStringLiteral("stats"));
    if (!cursor)
        return cursor.error();
    if (cursor->rows() != 1)
        return StoreError(
            StoreError::Kind::Migration,
            QStringLiteral("the sequencer row of schema %1 is missing").arg(d->settings.schema));
    StoreStats s;
    s.headPosition = cursor->int64(0, 2);
    auto pending = d->readOn(
        StoreConnection::Read,
        QStringLiteral("SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - "
                       "min(e.created_at)), 0)::float8 "
                       "FROM %1.events e WHERE (e.tx, e.id) > ($1::xid8, $2)")
            .arg(d->s),
        {cursor->bytes(0, 0), cursor->bytes(0, 1)}, QStringLiteral("stats"));
    if (!pending)
        return pending.error();
    s.pending = pending->int64(0, 0);
    s.lagSeconds = pending->float64(0, 1);
    // One pass over the streams (a row each, far fewer than the events): each knows how many
    // of its rows a scavenge removed (every version below scavenged_below).
    auto sizes = d->readOn(
        StoreConnection::Read,
        QStringLiteral("SELECT st.live, st.deleted, st.scavenged, "
                       "pg_snapshot_xmin(pg_current_snapshot())::text, "
                       "(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                       "   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
                       "   AND c.relkind = 'r')::int8, "
                       "pg_total_relation_size($2::regclass)::int8 "
                       "FROM (SELECT count(*) FILTER (WHERE deleted_at IS NULL AND tombstoned_at "
                       "IS NULL) AS live, count(*) FILTER (WHERE deleted_at IS NOT NULL OR "
                       "tombstoned_at IS NOT NULL) AS deleted, "
                       "coalesce(sum(scavenged_below - 1), 0)::int8 AS scavenged "
                       "FROM %1.streams) st")
            .arg(d->s),
        {pg::param(d->settings.schema), pg::param(d->s + QStringLiteral(".events"))},
        QStringLiteral("stats"));
    if (!sizes)
        return sizes.error();
    s.streams = sizes->int64(0, 0);
    s.deletedStreams = sizes->int64(0, 1);
    s.scavenged = sizes->int64(0, 2);
    s.events = s.headPosition + s.pending - s.scavenged;
    s.oldestRunningXid = s.pending > 0 ? sizes->string(0, 3) : QString();
    s.totalBytes = sizes->int64(0, 4);
    s.eventsBytes = sizes->int64(0, 5);
    return s;
}

Result<SequencerStep> Store::sequenceStep(int maxRows)
{
    // Not a read to repeat blindly, but a step is idempotent: a lost one is taken again.
    auto r = d->read(d->stepSql, {pg::param(qMax(1, maxRows))}, QStringLiteral("sequencer step"));
    if (!r)
        return r.error();
    SequencerStep step;
    step.numbered = r->int64(0, 0);
    step.head = GlobalPosition(r->int64(0, 1));
    step.pending = r->boolean(0, 2);
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
        // The writer's head (headPosition() is the read connection's).
        auto h = d->read(d->headSql, {}, QStringLiteral("head position"));
        if (!h)
            return h.error();
        head = GlobalPosition(h->rows() > 0 ? h->int64(0, 0) : 0);
    }
    return head;
}

} // namespace eventium
