#pragma once

#include <eventium/types.h>

#include <QDate>
#include <QDateTime>
#include <QVariant>

namespace eventium::ui {

// What a column of an event table shows. The live view and a stream's view each list their
// columns as fields; every cell and header of either is made here, so the two tables look
// and behave alike.
enum class EventField { Position, Stream, Version, Type, Time };

// One cell of an event row for `role`. `event` is null while the row's page is loading: the
// row's key (its position in the live view, its version in a stream's view) is known before
// its event, so the `keyField` cell shows `key` either way and the Type cell says "loading…".
// A position of 0 (not yet numbered) shows as "pending". While the server cannot be reached
// (`offline`), a row that is not loaded says so instead of "loading…".
QVariant eventCell(EventField field, int role, const RecordedEvent *event, EventField keyField,
                   qint64 key, bool offline = false);
QVariant eventHeader(EventField field, int role);

// A time as an event table shows it, in local time: today's as "HH:mm:ss.zzz", another
// day's as "yyyy-MM-dd HH:mm:ss" (tooltips give it whole).
QString tableTime(const QDateTime &time, const QDate &today = QDate::currentDate());
// A time as a list of streams shows it: today's as "HH:mm:ss", another day's as its date.
QString listTime(const QDateTime &time, const QDate &today = QDate::currentDate());

} // namespace eventium::ui
