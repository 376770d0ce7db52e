#pragma once

#include "eventium/error.h"
#include "eventium/result.h"
#include "eventium/types.h"

#include <QByteArray>
#include <QList>
#include <QUuid>

// What an append sends: event ids, the batch as array parameters, and the checks made
// before anything is sent.
namespace eventium::appendencoding {

// Empty when `type` is a valid event type; otherwise why not.
// How deeply objects and arrays nest in JSON text (0 for a scalar); not a validation.
int jsonDepth(const QByteArray &json);
QString typeProblem(const QString &type);

// A time-ordered UUID (version 7): 48 bits of Unix milliseconds, then random bits. New ids
// land at the right edge of the event id index instead of on random pages.
QUuid newEventId();
// The events' own ids, and new ones where they have none.
QList<QUuid> assignIds(const QList<NewEvent> &events);

// The batch as four text[]-style array parameters (ids, types, data, metadata) for
// append_events(), after the checks that need no parsing (type, size, NUL bytes). JSON syntax
// is left to the server, so that on the happy path each payload is parsed once, by jsonb.
Result<QList<QByteArray>> encodeBatch(const QList<NewEvent> &events, const QList<QUuid> &ids,
                                      qint64 maxEventBytes);

// Turns the server's refusal of a batch's values into a precise error: which event, payload
// or metadata, what is wrong and where. `serverError` when nothing is found.
StoreError diagnoseBatch(const QList<NewEvent> &events, const StoreError &serverError);

} // namespace eventium::appendencoding
