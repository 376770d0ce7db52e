#pragma once

#include <QSqlDatabase>
#include <QString>

namespace eventium::test {

// Every promise of the global sequence, checked in SQL over a whole schema once writing has
// stopped and everything is numbered:
// * positions are exactly 1..N, each event has one, none has two;
// * each stream's versions are 1..k with k its stored version;
// * within each stream, the global order follows the versions (no event appears before a
//   lower version of its own stream).
struct GlobalOrderReport
{
    qint64 events = 0; // rows in events
    qint64 numbered = 0; // rows in global_events
    qint64 minPosition = 0;
    qint64 maxPosition = 0;
    qint64 distinctPositions = 0;
    qint64 distinctRows = 0; // distinct events numbered
    qint64 unnumbered = 0; // events without a position
    qint64 sequencerHead = 0; // sequencer.last_position
    qint64 streamsWithVersionGaps = 0;
    // Events whose position comes after an event of the same stream with a higher version.
    qint64 inversions = 0;
    // Events whose stream predecessor in the global order is not version - 1.
    qint64 outOfStep = 0;
    QString firstInversion; // "position P: stream S version V after version W", or empty

    // Empty when every promise holds for exactly `expected` events (or any count when
    // expected < 0); otherwise what is wrong, in one line.
    QString problems(qint64 expected = -1) const;
};

// Runs the checks on `db` against `schema`. `error` is set when a query fails.
GlobalOrderReport checkGlobalOrder(QSqlDatabase db, const QString &schema, QString *error);

} // namespace eventium::test

// Checks the global order of a schema and fails the test with what is wrong.
#define VERIFY_GLOBAL_ORDER(db, schema, expected)                                                  \
    do {                                                                                           \
        QString orderError_;                                                                       \
        const auto report_ = eventium::test::checkGlobalOrder((db), (schema), &orderError_);       \
        QVERIFY2(orderError_.isEmpty(), qPrintable(orderError_));                                  \
        const QString problems_ = report_.problems(expected);                                      \
        QVERIFY2(problems_.isEmpty(), qPrintable(problems_));                                      \
    } while (false)
