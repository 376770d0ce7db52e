// Export and import as JSON lines (transfer.h): paged reads out, validated batches in.
#include "eventium/transfer.h"

#include "appendencoding.h"
#include "eventium/eventline.h"
#include "eventium/store.h"

#include <QHash>
#include <QIODevice>
#include <QSet>
#include <QTemporaryFile>

#include <algorithm>

namespace eventium {

namespace {

// ---------------------------------------------------------------- export

StoreError cancelled(const QString &what)
{
    return StoreError(StoreError::Kind::Cancelled,
                      QStringLiteral("the %1 was cancelled").arg(what));
}

// Writes one event line; false with `error` set when the device refuses it.
bool writeEvent(QIODevice &out, const RecordedEvent &event, ExportResult &result, StoreError *error)
{
    QByteArray line = EventLine::format(event);
    line += '\n';
    if (out.write(line) != line.size()) {
        *error = StoreError(StoreError::Kind::Other,
                            QStringLiteral("cannot write event %1 of the export: %2")
                                .arg(result.events + 1)
                                .arg(out.errorString()));
        return false;
    }
    ++result.events;
    result.bytes += line.size();
    return true;
}

void report(const ExportOptions &options, const ExportResult &result)
{
    if (options.progress)
        options.progress(TransferProgress {result.events, result.reached, result.end});
}

// The search conditions of a filter without its stream conditions.
bool hasSearchConditions(const GlobalFilter &f)
{
    GlobalFilter search = f;
    search.stream.clear();
    search.streamPrefix.clear();
    search.streamContains.clear();
    return !search.isEmpty();
}

Result<ExportResult> exportStream(Store &store, QIODevice &out, const ExportOptions &options,
                                  const Cancellation &cancellation)
{
    const GlobalFilter &filter = options.filter;
    if (!filter.stream.isEmpty() || !filter.streamPrefix.isEmpty()
        || !filter.streamContains.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("an export of one stream takes no stream conditions in "
                                         "its filter"));
    const StreamName stream(options.stream);
    if (QString why = StreamName::validate(options.stream); !why.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput, why);
    ExportResult result;
    auto info = store.streamInfo(stream);
    if (!info)
        return info.error();
    if (!info->has_value())
        return result; // no such stream: nothing to export
    const qint64 version = (*info)->version.value;
    result.end = options.to > 0 ? std::min(options.to, version) : version;
    result.reached = std::max<qint64>(options.from, 1) - 1;
    const bool search = hasSearchConditions(filter);
    StoreError error;
    StreamVersion next(std::max<qint64>(options.from, 1));
    while (next.value <= result.end) {
        if (cancellation.isCancelled())
            return cancelled(QStringLiteral("export"));
        QList<RecordedEvent> events;
        bool atEnd = false;
        if (search) {
            auto page = store.searchStream(stream, next, options.pageSize, filter, cancellation);
            if (!page)
                return page.error();
            events = std::move(page->events);
            atEnd = page->atEnd();
            result.reached = std::min(page->next.value - 1, result.end);
            next = page->next;
        } else {
            const int limit = int(std::min<qint64>(options.pageSize, result.end - next.value + 1));
            auto page = store.readStream(stream, next, Direction::Forward, limit);
            if (!page)
                return page.error();
            events = std::move(page.value());
            atEnd = events.size() < limit;
            if (!events.isEmpty())
                next = StreamVersion(events.last().version.value + 1);
            result.reached = atEnd ? result.end : std::min(next.value - 1, result.end);
        }
        for (const RecordedEvent &event : std::as_const(events)) {
            if (event.version.value > result.end) {
                atEnd = true;
                break;
            }
            if (!writeEvent(out, event, result, &error))
                return error;
        }
        report(options, result);
        if (atEnd)
            break;
    }
    return result;
}

Result<ExportResult> exportGlobal(Store &store, QIODevice &out, const ExportOptions &options,
                                  const Cancellation &cancellation)
{
    ExportResult result;
    auto head = store.headPosition();
    if (!head)
        return head.error();
    result.end = options.to > 0 ? std::min(options.to, head->value) : head->value;
    result.reached = std::max<qint64>(options.from, 1) - 1;
    StoreError error;
    GlobalPosition next(std::max<qint64>(options.from, 1));
    while (next.value <= result.end) {
        if (cancellation.isCancelled())
            return cancelled(QStringLiteral("export"));
        auto page = store.readAll(next, options.pageSize, options.filter, cancellation);
        if (!page)
            return page.error();
        bool done = page->next.value > page->head.value || page->next.value > result.end;
        for (const RecordedEvent &event : std::as_const(page->events)) {
            if (event.position.value > result.end) {
                done = true;
                break;
            }
            if (!writeEvent(out, event, result, &error))
                return error;
        }
        result.reached = std::min(page->next.value - 1, result.end);
        report(options, result);
        if (done)
            break;
        next = page->next;
    }
    result.reached = std::max(result.reached, result.end);
    return result;
}

// ---------------------------------------------------------------- import

// Reads lines to the device's end. A line longer than `maxBytes` is refused.
class LineReader
{
public:
    LineReader(QIODevice &device, qint64 maxBytes)
        : m_device(device)
        , m_maxBytes(maxBytes)
    {
    }

    enum class Outcome { Line, End, TooLong };
    // The next line without its line break (and a '\r' before it).
    Outcome next(QByteArray *line)
    {
        // In chunks: QIODevice::readLine(n) allocates n bytes whatever the line's length, and
        // the limit is megabytes while most lines are short.
        constexpr qint64 chunk = 64 * 1024;
        line->clear();
        while (true) {
            const QByteArray part = m_device.readLine(chunk);
            if (part.isEmpty())
                break;
            line->append(part);
            if (line->endsWith('\n'))
                break;
            if (line->size() > m_maxBytes + 2) {
                ++m_number;
                return Outcome::TooLong;
            }
        }
        if (line->isEmpty())
            return Outcome::End;
        ++m_number;
        if (line->endsWith('\n'))
            line->chop(1);
        if (line->endsWith('\r'))
            line->chop(1);
        if (line->size() > m_maxBytes)
            return Outcome::TooLong;
        return Outcome::Line;
    }
    qint64 number() const { return m_number; }

private:
    QIODevice &m_device;
    qint64 m_maxBytes;
    qint64 m_number = 0;
};

// A line of the second pass: its event and where it goes.
struct PendingEvent
{
    qint64 line = 0;
    QString stream;
    NewEvent event;
};

ImportResult refuse(ImportResult result, qint64 line, const QString &why,
                    StoreError::Kind kind = StoreError::Kind::InvalidInput)
{
    result.status = ImportResult::Status::InvalidInput;
    result.line = line;
    result.message = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(why) : why;
    result.error = StoreError(kind, result.message);
    result.events = 0;
    return result;
}

ImportResult fail(ImportResult result, qint64 line, const StoreError &error)
{
    result.status = ImportResult::Status::Failed;
    result.line = line;
    result.message
        = line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(error.message()) : error.message();
    result.error = StoreError(error.kind(), result.message, error.sqlState());
    return result;
}

// Everything the store would refuse of one event before sending it, and what jsonb refuses
// (\u0000); empty when none.
std::optional<StoreError> eventProblem(const NewEvent &event, qint64 maxEventBytes)
{
    const QList<NewEvent> one {event};
    auto encoded = appendencoding::encodeBatch(one, {QUuid()}, maxEventBytes);
    if (!encoded)
        return encoded.error();
    // diagnoseBatch answers the error it is given when it finds nothing wrong.
    const StoreError nothing(StoreError::Kind::Other, QString());
    const StoreError found = appendencoding::diagnoseBatch(one, nothing);
    if (found.kind() != nothing.kind() || !found.message().isEmpty())
        return found;
    return std::nullopt;
}

QString linesText(qint64 first, qint64 last)
{
    return first == last ? QStringLiteral("line %1").arg(first)
                         : QStringLiteral("lines %1-%2").arg(first).arg(last);
}

// The state of one target stream during the import.
struct TargetStream
{
    qsizetype resultIndex = -1; // in ImportResult::streams
    ExpectedVersion next = ExpectedVersion::any(); // what its next batch expects
};

// The longest line an import reads: an event at the store's size limit, with room for the
// line's other members.
qint64 maxLineBytes(qint64 maxEventBytes)
{
    return maxEventBytes + 1024 * 1024;
}

// The options of an import, and its input's state; nullopt when they are good.
std::optional<ImportResult> checkImportOptions(const ImportOptions &options,
                                               const StoreSettings &settings, const QIODevice &in,
                                               const ImportResult &result)
{
    if (!options.stream.isEmpty()) {
        if (QString why = StreamName::validate(options.stream); !why.isEmpty())
            return refuse(result, 0, QStringLiteral("the target stream: %1").arg(why));
    }
    if (!options.expected.isValid() || options.expected.isStreamExists())
        return refuse(result, 0,
                      QStringLiteral("an import expects any version, no stream or an exact "
                                     "version of each stream"));
    if (options.batchEvents < 1 || options.batchEvents > settings.maxEventsPerAppend)
        return refuse(
            result, 0,
            QStringLiteral("a batch holds 1 to %1 events").arg(settings.maxEventsPerAppend));
    if (!in.isReadable())
        return refuse(result, 0, QStringLiteral("the input is not open for reading"));
    return std::nullopt;
}

// Every line of an import's input checked (the first pass); nullopt when all are good, with
// `result`'s lines and events counted. Copies the lines to `spool` if given.
std::optional<ImportResult> checkImportLines(QIODevice &in, QIODevice *spool,
                                             const ImportOptions &options, qint64 maxEventBytes,
                                             ImportResult &result)
{
    const qint64 maxLine = maxLineBytes(maxEventBytes);
    LineReader reader(in, maxLine);
    QByteArray line;
    QSet<QUuid> ids;
    qint64 events = 0;
    while (true) {
        const auto outcome = reader.next(&line);
        if (outcome == LineReader::Outcome::End)
            break;
        if (outcome == LineReader::Outcome::TooLong)
            return refuse(result, reader.number(),
                          QStringLiteral("longer than %1 bytes").arg(maxLine),
                          StoreError::Kind::PayloadTooLarge);
        if (spool && (spool->write(line) != line.size() || !spool->putChar('\n')))
            return fail(result, reader.number(),
                        StoreError(StoreError::Kind::Other,
                                   QStringLiteral("cannot write the temporary file: %1")
                                       .arg(spool->errorString())));
        if (EventLine::isBlank(line))
            continue;
        QString why;
        const auto parsed = EventLine::parse(line, &why);
        if (!parsed)
            return refuse(result, reader.number(), why);
        const QString stream = options.stream.isEmpty() ? parsed->stream : options.stream;
        if (stream.isEmpty())
            return refuse(result, reader.number(),
                          QStringLiteral("needs \"stream\" (or import into one named "
                                         "stream)"));
        if (options.stream.isEmpty()) {
            if (QString bad = StreamName::validate(stream); !bad.isEmpty())
                return refuse(result, reader.number(), QStringLiteral("\"stream\": %1").arg(bad));
        }
        if (auto problem = eventProblem(parsed->event, maxEventBytes))
            return refuse(result, reader.number(), problem->message(), problem->kind());
        if (options.ids == IdMode::Keep && !parsed->event.id.isNull()) {
            if (ids.contains(parsed->event.id))
                return refuse(result, reader.number(),
                              QStringLiteral("the id %1 is given on an earlier line too "
                                             "(import with new ids to copy events)")
                                  .arg(parsed->event.id.toString(QUuid::WithoutBraces)));
            ids.insert(parsed->event.id);
        }
        ++events;
    }
    result.lines = reader.number();
    result.events = events;
    return std::nullopt;
}

class Importer
{
public:
    Importer(Store &store, const ImportOptions &options, const Cancellation &cancellation)
        : m_store(store)
        , m_options(options)
        , m_cancellation(cancellation)
    {
    }

    ImportResult run(QIODevice &in)
    {
        const StoreSettings &settings = m_store.settings();
        if (auto refused = checkImportOptions(m_options, settings, in, m_result))
            return *refused;
        m_maxLine = maxLineBytes(settings.maxEventBytes);

        // Pass 1: validate every line; a sequential input is kept in a temporary file.
        QIODevice *source = &in;
        QTemporaryFile spool;
        const bool sequential = in.isSequential();
        const qint64 start = sequential ? 0 : in.pos();
        if (sequential && !spool.open())
            return failed(0,
                          StoreError(StoreError::Kind::Other,
                                     QStringLiteral("cannot make a temporary file for the "
                                                    "input: %1")
                                         .arg(spool.errorString())));
        if (auto refused = checkImportLines(in, sequential ? &spool : nullptr, m_options,
                                            settings.maxEventBytes, m_result))
            return *refused;
        if (sequential) {
            if (!spool.flush() || !spool.seek(0))
                return failed(0,
                              StoreError(StoreError::Kind::Other,
                                         QStringLiteral("cannot read the temporary file: %1")
                                             .arg(spool.errorString())));
            source = &spool;
        } else if (!in.seek(start)) {
            return failed(
                0,
                StoreError(
                    StoreError::Kind::Other,
                    QStringLiteral("cannot read the input again: %1").arg(in.errorString())));
        }

        // Pass 2: append, batch by batch.
        LineReader reader(*source, m_maxLine);
        QByteArray line;
        QList<PendingEvent> batch;
        qint64 batchBytes = 0;
        while (reader.next(&line) == LineReader::Outcome::Line) {
            if (EventLine::isBlank(line))
                continue;
            QString why;
            auto parsed = EventLine::parse(line, &why);
            if (!parsed) // validated before: the input changed under the import
                return failed(reader.number(),
                              StoreError(StoreError::Kind::Other,
                                         QStringLiteral("the input changed while it was "
                                                        "imported: %1")
                                             .arg(why)));
            PendingEvent pending;
            pending.line = reader.number();
            pending.stream = m_options.stream.isEmpty() ? parsed->stream : m_options.stream;
            pending.event = std::move(parsed->event);
            if (m_options.ids == IdMode::New)
                pending.event.id = QUuid();
            const qint64 bytes = pending.event.data.size() + pending.event.metadata.size();
            if (!batch.isEmpty()
                && (batch.size() >= m_options.batchEvents
                    || batchBytes + bytes > m_options.batchBytes)) {
                if (!appendBatch(batch))
                    return m_result;
                batch.clear();
                batchBytes = 0;
            }
            batch.append(std::move(pending));
            batchBytes += bytes;
        }
        if (!batch.isEmpty() && !appendBatch(batch))
            return m_result;
        return m_result;
    }

private:
    ImportResult failed(qint64 line, const StoreError &error)
    {
        m_result = fail(m_result, line, error);
        return m_result;
    }

    TargetStream &target(const QString &stream)
    {
        auto it = m_targets.find(stream);
        if (it == m_targets.end()) {
            TargetStream t;
            t.next = m_options.expected;
            it = m_targets.insert(stream, t);
        }
        return it.value();
    }

    ImportStreamResult &streamResult(const QString &stream)
    {
        TargetStream &t = target(stream);
        if (t.resultIndex < 0) {
            t.resultIndex = m_result.streams.size();
            ImportStreamResult r;
            r.stream = stream;
            m_result.streams.append(r);
        }
        return m_result.streams[t.resultIndex];
    }

    // One transaction over the streams of `batch`; false (with m_result set) when it failed.
    bool appendBatch(const QList<PendingEvent> &batch)
    {
        const qint64 firstLine = batch.first().line;
        const qint64 lastLine = batch.last().line;
        if (m_cancellation.isCancelled()) {
            failed(firstLine, cancelled(QStringLiteral("import")));
            return false;
        }
        QList<StreamAppend> appends;
        QList<qint64> firstLines; // of each append
        QHash<QString, qsizetype> index;
        for (const PendingEvent &p : batch) {
            auto it = index.constFind(p.stream);
            if (it == index.constEnd()) {
                it = index.insert(p.stream, appends.size());
                StreamAppend a;
                a.stream = StreamName(p.stream);
                a.expected = target(p.stream).next;
                appends.append(a);
                firstLines.append(p.line);
            }
            appends[*it].events.append(p.event);
        }
        auto result = m_store.appendMulti(appends);
        if (!result) {
            m_result.status = ImportResult::Status::Failed;
            m_result.line = firstLine;
            m_result.message = QStringLiteral("%1: %2").arg(linesText(firstLine, lastLine),
                                                            result.error().message());
            m_result.error
                = StoreError(result.error().kind(), m_result.message, result.error().sqlState());
            return false;
        }
        if (!result->committed) {
            for (qsizetype i = 0; i < appends.size(); ++i) {
                const AppendResult &r = result->results.at(i);
                if (!r.isConflict())
                    continue;
                const ExpectedVersion expected = appends.at(i).expected;
                m_result.status = ImportResult::Status::WrongExpectedVersion;
                m_result.line = firstLines.at(i);
                m_result.conflictStream = appends.at(i).stream.value();
                m_result.conflictExpected = expected;
                m_result.actualVersion = r.actualVersion;
                m_result.message
                    = QStringLiteral("line %1: stream \"%2\" expected %3, but %4")
                          .arg(firstLines.at(i))
                          .arg(m_result.conflictStream, expected.toString(),
                               r.actualVersion < 0
                                   ? QStringLiteral("it does not exist")
                                   : QStringLiteral("it is at version %1").arg(r.actualVersion));
                m_result.error = StoreError(StoreError::Kind::Other, m_result.message);
                return false;
            }
            failed(
                firstLine,
                StoreError(StoreError::Kind::Other, QStringLiteral("the batch was not committed")));
            return false;
        }
        for (qsizetype i = 0; i < appends.size(); ++i) {
            const AppendResult &r = result->results.at(i);
            const qint64 n = appends.at(i).events.size();
            const QString &stream = appends.at(i).stream.value();
            ImportStreamResult &s = streamResult(stream);
            const StreamVersion last(r.firstVersion.value + n - 1);
            if (r.status == AppendResult::Status::AlreadyAppended) {
                s.alreadyThere += n;
                m_result.alreadyThere += n;
            } else {
                s.appended += n;
                m_result.appended += n;
            }
            if (s.firstVersion.value == 0)
                s.firstVersion = r.firstVersion;
            s.lastVersion = last;
            target(stream).next = ExpectedVersion::exact(last);
        }
        if (m_options.progress)
            m_options.progress(TransferProgress {m_result.appended + m_result.alreadyThere,
                                                 lastLine, m_result.lines});
        return true;
    }

    Store &m_store;
    const ImportOptions &m_options;
    const Cancellation &m_cancellation;
    ImportResult m_result;
    qint64 m_maxLine = 0;
    QHash<QString, TargetStream> m_targets;
};

} // namespace

Result<ExportResult> exportEvents(Store &store, QIODevice &out, const ExportOptions &options,
                                  const Cancellation &cancellation)
{
    if (!out.isWritable())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("the export's output is not open for writing"));
    if (options.pageSize < 1 || options.pageSize > 100000)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("an export page holds 1 to 100000 events"));
    if (options.from < 0 || options.to < 0)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("an export range cannot be negative"));
    if (options.to > 0 && options.to < options.from)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("an export range ends (%1) before it starts (%2)")
                              .arg(options.to)
                              .arg(options.from));
    return options.stream.isEmpty() ? exportGlobal(store, out, options, cancellation)
                                    : exportStream(store, out, options, cancellation);
}

ImportResult checkImport(QIODevice &in, const ImportOptions &options, const StoreSettings &settings)
{
    ImportResult result;
    if (auto refused = checkImportOptions(options, settings, in, result))
        return *refused;
    if (auto refused = checkImportLines(in, nullptr, options, settings.maxEventBytes, result))
        return *refused;
    return result;
}

ImportResult importEvents(Store &store, QIODevice &in, const ImportOptions &options,
                          const Cancellation &cancellation)
{
    return Importer(store, options, cancellation).run(in);
}

} // namespace eventium
