#pragma once

#include "libpqwriter.h"

namespace bench {

// The peer design: a per-stream advisory lock and a bigserial global position, as Message DB
// publishes it (a messages table with global_position bigserial, the stream's version in
// `position`, counted from 0; write_message() takes pg_advisory_xact_lock() on a hash of the
// stream's category, checks the expected version against the stream's highest position and
// inserts the next one; readers page with global_position > last). Written here from that
// description, in BenchContext::peerSchema.
//
// Message DB locks a stream's category (the part of its name before the first '-'), so writers
// of one category take turns. Each writer here appends to a stream of a category of its own
// (the name it is given, with its '-' made '_', then "-1"), so the lock is a lock per stream,
// as in the other designs, and the writers do not wait for each other. One message per call,
// as write_message() takes them.
class PeerWriter : public LibpqWriter
{
public:
    PeerWriter(QString conninfo, QString stream, int batch);
    bool prepare(QString *error) override;
    qint64 step(QString *error) override;

    // The design's table, indexes and write_message() in `schema` (which exists).
    static QString schemaSql(const QString &schema);
    // The stream a writer named `name` appends to: a category of its own.
    static QString streamName(const QString &name);
};

} // namespace bench
