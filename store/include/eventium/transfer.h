#pragma once

#include "eventium/cancellation.h"
#include "eventium/result.h"
#include "eventium/store.h"
#include "eventium/types.h"

#include <QList>
#include <QString>

#include <functional>

class QIODevice;

// Moving events out of a store and into one (`eventium export` / `eventium import`), as JSON
// lines in EventLine's format: exactly what `eventium read`, `tail` and `search` print, so
// their output imports too.
//
// Export streams page by page (a read of `pageSize` events at a time, each page written before
// the next is read): a million events export in the memory of one page.
//
// Import validates the WHOLE input before it appends anything: every line must be a JSON object
// (valid UTF-8, no NUL byte) with "type" and "data", a valid stream name (its own "stream", or
// the target stream), a valid type, a payload within the size and depth limits, and no event
// id given twice. A bad line imports nothing and is named by its number. Then the events are
// appended in file order, in batches of at most `batchEvents` events (and `batchBytes` bytes):
//
//   ATOMICITY: each batch is one transaction (Store::appendMulti over the streams the batch
//   touches): all its events are written, or none. An input that fits in one batch (by
//   default up to 1,000 events) is therefore imported whole or not at all. A larger one is
//   imported batch by batch: when a batch fails (a wrong expected version, a lost connection,
//   an id stored in another stream), the batches before it stay written and the result says
//   what was written; importing the same input again with IdMode::Keep appends only what is
//   missing (the batches already there answer "already appended").
//
// Each stream's events keep their order, and a stream's batches after its first one expect
// exactly the version its previous batch left, so nothing of another writer lands in between
// (such a writer makes the import stop with WrongExpectedVersion). Across streams the order of
// the input is kept batch by batch; within a batch, the store appends stream by stream.
namespace eventium {

class Store;

// How far a transfer is; reported after every page (export) or batch (import).
struct TransferProgress
{
    qint64 events = 0; // export: events written; import: events appended or found already there
    // Export: the last global position looked at (with ExportOptions::stream: the last
    // version). Import: the last input line done.
    qint64 reached = 0;
    // Export: where it ends (the head, or the stream's version, when it started; or `to`).
    // Import: the input's number of lines.
    qint64 end = 0;
};
using TransferProgressFunction = std::function<void(const TransferProgress &)>;

// Which events exportEvents() writes.
struct ExportOptions
{
    // One stream, by version (read through its (stream_id, version) index); empty: the global
    // sequence, by position.
    QString stream;
    qint64 from = 1; // the first position (with `stream`: version) exported, inclusive
    // The last one, inclusive; 0: the head (with `stream`: its version) when the export starts,
    // so an export ends even while writers go on.
    qint64 to = 0;
    // Conditions every exported event meets, as Store::readAll takes them (types, stream,
    // prefix, stream substring, times, containment, expression, text). With `stream`, only the
    // search conditions (Store::searchStream): its stream conditions are refused.
    GlobalFilter filter;
    int pageSize = 1000; // events per read, 1 to 100,000
    TransferProgressFunction progress; // after every page
};

struct ExportResult
{
    qint64 events = 0; // lines written
    qint64 bytes = 0;
    qint64 reached = 0; // as TransferProgress
    qint64 end = 0;
};

// Writes the events `options` selects to `out` (open for writing), one line each, in position
// order (with a stream: version order). Stops with StoreError::Kind::Cancelled when
// `cancellation` is cancelled (between pages, or while a filtered read runs on the server);
// what was written so far stays in `out`. A write that fails is an error (Kind::Other).
Result<ExportResult> exportEvents(Store &store, QIODevice &out, const ExportOptions &options,
                                  const Cancellation &cancellation = Cancellation::none());

// What an import does with the events' ids.
enum class IdMode {
    // The ids of the input (a line without one gets a new one). Importing the same input
    // again changes nothing: the store answers AlreadyAppended for events stored before. An
    // id stored in another stream fails (StoreError::Kind::DuplicateEventId): copy with New.
    Keep,
    // Fresh ids for every event (copying events into other streams, or twice).
    New,
};

struct ImportOptions
{
    IdMode ids = IdMode::Keep;
    // Every event goes to this stream; empty: to the stream its line names ("stream").
    QString stream;
    // What each target stream must be at before the import's first event in it: any,
    // no stream, or an exact version (not "exists").
    ExpectedVersion expected = ExpectedVersion::any();
    int batchEvents = 1000; // events per batch (one transaction), 1 to the store's limit
    qint64 batchBytes
        = 16 * 1024 * 1024; // payload and metadata bytes per batch (at least one event)
    TransferProgressFunction progress; // after every batch
};

// One target stream's part of an import.
struct ImportStreamResult
{
    QString stream;
    qint64 appended = 0; // events written now
    qint64 alreadyThere = 0; // events stored before (an idempotent re-import)
    StreamVersion firstVersion; // of the import's first event in the stream (0: none reached)
    StreamVersion lastVersion; // of its last one
};

struct ImportResult
{
    enum class Status {
        Imported, // every event is in the store (appended now or before)
        InvalidInput, // a bad line, or bad options: nothing was appended
        WrongExpectedVersion, // a batch found a stream at another version: it and the rest not
                              // written
        Failed, // the store failed a batch (`error`): it and the rest were not written
    };
    Status status = Status::Imported;
    qint64 lines = 0; // input lines read (blank ones included; line numbers count them)
    qint64 events = 0; // events in the input (when it was valid)
    qint64 appended = 0; // events written now
    qint64 alreadyThere = 0; // events stored before
    QList<ImportStreamResult> streams; // the target streams reached, in order of first appearance

    // When not Imported:
    qint64 line = 0; // the bad line, or the first line of the batch that failed
    QString message; // "line 7: needs \"data\"", "lines 1001-2000: ..."
    StoreError
        error; // the error (InvalidInput: of what kind the line is wrong; Failed: the store's)
    // WrongExpectedVersion: the stream, what the import expected, its actual version (-1: none)
    QString conflictStream;
    ExpectedVersion conflictExpected = ExpectedVersion::any();
    qint64 actualVersion = -1;

    bool ok() const { return status == Status::Imported; }
};

// Reads JSON lines from `in` (open for reading; read to its end) and appends them to `store`
// as the header comment above says: all lines validated first, then batch by batch. A
// sequential device (stdin, a pipe) is copied to a temporary file while it is validated, so
// memory stays that of one batch either way (plus the set of ids with IdMode::Keep).
// Cancelling stops between batches (Status::Failed, Kind::Cancelled).
ImportResult importEvents(Store &store, QIODevice &in, const ImportOptions &options,
                          const Cancellation &cancellation = Cancellation::none());

// An import's checks without a store: its options and every line of `in` (read to its end),
// as importEvents() checks them before it writes anything, against `settings`' limits
// (maxEventBytes, maxEventsPerAppend). ok() when every line is good (`lines` and `events`
// counted, nothing appended); otherwise InvalidInput with the line and why, as
// importEvents() would answer. Conflicts with what is stored are not checked.
ImportResult checkImport(QIODevice &in, const ImportOptions &options,
                         const StoreSettings &settings = {});

} // namespace eventium
