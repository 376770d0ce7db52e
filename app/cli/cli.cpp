#include "cli.h"

#include "command.h"
#include "connectionresolver.h"
#include "exitcode.h"
#include "helptext.h"
#include "optionparser.h"
#include "stdineventreader.h"
#include "tailfollower.h"

#include <bank/projections.h>
#include <bank/sampledata.h>
#include <eventium/embeddedpostgres.h>
#include <eventium/eventline.h>
#include <eventium/jsonline.h>
#include <eventium/roles.h>
#include <eventium/toolkit/jsondiff.h>
#include <eventium/toolkit/projectionregistry.h>
#include <eventium/toolkit/subscription.h>
#include <eventium/transfer.h>

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSaveFile>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <tuple>
#include <unistd.h>

namespace eventium::cli {

namespace {

constexpr int kPageSize = 1000;
constexpr qint64 kNoLimit = 0;

void printOut(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

// "primary", "standby, replay lag 3 ms" (or "lag unknown" before anything was replayed).
QString roleText(const ReplicationStatus &status)
{
    if (!status.standby)
        return QStringLiteral("primary");
    return status.replayLag
        ? QStringLiteral("standby, replay lag %1 ms").arg(status.replayLag->count())
        : QStringLiteral("standby, replay lag unknown");
}

// The role of a server as JSON members: "role" (primary or standby) and, for a standby,
// "replayLagMs" (null when it cannot be told yet) and "replayBytesBehind".
void addRole(JsonLine &line, const ReplicationStatus &status)
{
    line.add("role", status.standby ? QStringLiteral("standby") : QStringLiteral("primary"));
    if (!status.standby)
        return;
    if (status.replayLag)
        line.add("replayLagMs", qint64(status.replayLag->count()));
    else
        line.addNull("replayLagMs");
    line.add("replayBytesBehind", status.replayBytesBehind);
}

// Without --verbose, stderr carries only the command's own "eventium: ..." lines: warnings
// of Qt's SQL driver about connections a lost server took away are dropped.
void quietMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtDebugMsg || type == QtInfoMsg || type == QtWarningMsg)
        return;
    std::fprintf(stderr, "%s%s%s\n", context.category ? context.category : "",
                 context.category ? ": " : "", message.toLocal8Bit().constData());
}

// A whole number of at least `min`; nullopt otherwise.
std::optional<qint64> parseNumber(const QString &text, qint64 min)
{
    bool ok = false;
    const qint64 v = text.trimmed().toLongLong(&ok);
    if (!ok || v < min)
        return std::nullopt;
    return v;
}

// A numeric option of at least `min`: `fallback` when absent, nullopt when malformed.
std::optional<qint64> numberOption(const OptionParser &options, const QString &name, qint64 min,
                                   qint64 fallback)
{
    if (!options.isSet(name))
        return fallback;
    return parseNumber(options.value(name), min);
}

// --expected as append and delete take it: `any` when absent, nullopt when malformed.
std::optional<ExpectedVersion> expectedOption(const OptionParser &options)
{
    if (!options.isSet(QStringLiteral("expected")))
        return ExpectedVersion::any();
    return ExpectedVersion::parse(options.value(QStringLiteral("expected")));
}

// A time as --since, --until and --at take it: ISO 8601 (without a zone: local time);
// nullopt when it is not one.
std::optional<QDateTime> parseTime(const QString &text)
{
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time;
}

QString timeUsage(const QString &option)
{
    return QStringLiteral("--%1 is a time in ISO 8601, e.g. 2026-11-30T14:03:00Z").arg(option);
}

// --at TIME, where to start (read, tail); --from says the same, so not both. False with the
// usage message when it is given wrongly; `at` stays empty when it is not given.
bool atOption(const OptionParser &options, std::optional<QDateTime> *at, QString *why)
{
    if (!options.isSet(QStringLiteral("at")))
        return true;
    if (options.isSet(QStringLiteral("from"))) {
        *why = QStringLiteral("--at and --from cannot be used together (--at TIME starts at the "
                              "first event created at or after TIME, --from at a number)");
        return false;
    }
    *at = parseTime(options.value(QStringLiteral("at")));
    if (!*at)
        *why = timeUsage(QStringLiteral("at"));
    return at->has_value();
}

// Why a command that takes no arguments refuses the ones it was given; nullopt if none.
std::optional<QString> unexpectedArgument(const OptionParser &options)
{
    if (options.positionals().isEmpty())
        return std::nullopt;
    return QStringLiteral("unexpected argument \"%1\"").arg(options.positionals().first());
}

// The size of the next page when `written` of at most `limit` (kNoLimit: all) are out.
int nextPageSize(qint64 limit, qint64 written)
{
    return limit == kNoLimit ? kPageSize : int(qMin<qint64>(kPageSize, limit - written));
}

QString expectationText(ExpectedVersion expected)
{
    if (expected.isNoStream())
        return QStringLiteral("expected no stream");
    if (expected.isStreamExists())
        return QStringLiteral("expected an existing stream");
    return QStringLiteral("expected version %1").arg(expected.exactVersion());
}

// The error of an append or a delete whose expectation did not hold; `actual` -1: no stream.
CliError wrongVersion(const QString &stream, ExpectedVersion expected, qint64 actual)
{
    const QString was = actual < 0 ? QStringLiteral("it does not exist")
                                   : QStringLiteral("it is at version %1").arg(actual);
    return CliError(ExitWrongVersion,
                    QStringLiteral("wrong expected version for stream \"%1\": %2, but %3")
                        .arg(stream, expectationText(expected), was));
}

// A usage error: the message and where to read more.
CliError usageError(const QString &command, const QString &message)
{
    const QString hint = command.isEmpty() ? QStringLiteral("eventium --help")
                                           : QStringLiteral("eventium %1 --help").arg(command);
    return CliError::usage(QStringLiteral("%1 (see `%2`)").arg(message, hint));
}

// The search conditions `search` and `export` take: --type, --stream-contains, --since,
// --until, --where, --contains, --text (not --stream, whose meaning differs between them).
std::optional<CliError> searchFilterOptions(const QString &command, const OptionParser &options,
                                            GlobalFilter *filter)
{
    filter->types = options.values(QStringLiteral("type"));
    for (const QString &type : std::as_const(filter->types)) {
        if (type.isEmpty())
            return usageError(command, QStringLiteral("--type cannot be empty"));
    }
    filter->streamContains = options.value(QStringLiteral("stream-contains"));
    for (const QString &option : {QStringLiteral("since"), QStringLiteral("until")}) {
        if (!options.isSet(option))
            continue;
        const auto time = parseTime(options.value(option));
        if (!time)
            return usageError(command, timeUsage(option));
        (option == QLatin1String("since") ? filter->since : filter->until) = *time;
    }
    filter->where = options.value(QStringLiteral("where"));
    if (options.isSet(QStringLiteral("where"))) {
        QString why;
        if (!SearchExpression::parse(filter->where, &why))
            return CliError::badInput(QStringLiteral("--where: %1").arg(why));
    }
    filter->contains = options.value(QStringLiteral("contains")).toUtf8();
    filter->text = options.value(QStringLiteral("text"));
    return std::nullopt;
}

void addSearchFilterOptions(OptionParser &parser)
{
    parser.addOption(QStringLiteral("type"), true);
    parser.addOption(QStringLiteral("stream-contains"));
    parser.addOption(QStringLiteral("since"));
    parser.addOption(QStringLiteral("until"));
    parser.addOption(QStringLiteral("where"));
    parser.addOption(QStringLiteral("contains"));
    parser.addOption(QStringLiteral("text"));
}

// --ids keep|new (append, import): nullopt when it is neither.
std::optional<IdMode> idsOption(const OptionParser &options)
{
    const QString ids = options.value(QStringLiteral("ids"));
    if (!options.isSet(QStringLiteral("ids")) || ids == QLatin1String("keep"))
        return IdMode::Keep;
    if (ids == QLatin1String("new"))
        return IdMode::New;
    return std::nullopt;
}

// A store error of an append; when it kept the input's ids, a duplicate id says how to copy.
CliError appendError(const StoreError &error, bool idsKept, const QString &command)
{
    CliError e = CliError::fromStore(error);
    if (error.kind() == StoreError::Kind::DuplicateEventId && idsKept)
        return CliError(e.code(),
                        e.message()
                            + QStringLiteral(" (the events keep their ids, and these are stored "
                                             "already; to copy events under new ids, run `eventium "
                                             "%1` with --ids new)")
                                  .arg(command));
    return e;
}

// The commands' help pages (HelpText::command() adds the global options and exit codes).

const char kMigrateHelp[]
    = "Usage: eventium migrate\n"
      "\n"
      "Creates the schema, or upgrades it to the newest version this program knows.\n"
      "Idempotent; safe when several processes run it at once. Prints\n"
      "{\"schema\":…,\"version\":…}.\n";

const char kAppendHelp[]
    = "Usage: eventium append STREAM [--expected any|no-stream|exists|N]\n"
      "                      (--type T --data JSON [--metadata JSON] [--id UUID] |\n"
      "                       - [--ids keep|new])\n"
      "\n"
      "Appends one event given by options, or with `-` a batch read from stdin as JSON lines,\n"
      "one event a line: {\"type\":…,\"data\":…,\"metadata\":…,\"id\":…} (metadata and id\n"
      "optional; other members are ignored, so `eventium read X | eventium append Y - --ids new`\n"
      "copies a stream). A batch is atomic: all its events are written, or none. data and "
      "metadata\n"
      "are stored as PostgreSQL jsonb: numbers keep their digits, but key order and spacing\n"
      "are normalised and of duplicate keys the last one is kept. JSON nested deeper than\n"
      "512 levels is refused (exit 4).\n"
      "\n"
      "Options:\n"
      "  --expected V   what the stream must be at: any (default), no-stream, exists, or a\n"
      "                 version N (the stream's event count); otherwise exit 3\n"
      "  --type T       the event type\n"
      "  --data JSON    the payload\n"
      "  --metadata J   metadata\n"
      "  --id UUID      the event id; re-sending the same id makes a retry idempotent\n"
      "  --ids M        with -: keep (default) the lines' ids, so re-sending a batch changes\n"
      "                 nothing; new: fresh ids (to copy events another stream holds)\n"
      "\n"
      "Prints {\"stream\":…,\"firstVersion\":…,\"lastVersion\":…,\"ids\":[…],\n"
      "\"status\":\"appended\"|\"already-appended\"}.\n";

const char kReadHelp[]
    = "Usage: eventium read STREAM [--from VERSION|end | --at TIME] [--limit N] [--backward]\n"
      "\n"
      "Prints a stream's events as JSON lines: position, stream, version, id, type, data,\n"
      "metadata, created (ISO 8601, UTC). A stream that does not exist prints nothing\n"
      "(`eventium stream-info STREAM` tells a missing stream from an empty read).\n"
      "\n"
      "Options:\n"
      "  --from VERSION  the first version to print (default: 1; with --backward: end, the\n"
      "                  newest; backward from 0 prints nothing)\n"
      "  --at TIME       start at the first version created at or after TIME (ISO 8601, e.g.\n"
      "                  2026-11-30T14:03:00Z; without a zone: local time); with\n"
      "                  --backward, the events created before TIME, newest first. Not with\n"
      "                  --from\n"
      "  --limit N       print at most N events (default: all)\n"
      "  --backward      newest first\n";

const char kStreamInfoHelp[]
    = "Usage: eventium stream-info STREAM\n"
      "\n"
      "Prints one JSON object: {\"name\":…,\"exists\":true,\"version\":…,\"created\":…,\n"
      "\"updated\":…} for a stream that exists, {\"name\":…,\"exists\":false} for one that\n"
      "does not (exit 0 either way). A deleted stream adds \"deleted\":\"soft\"|\"hard\", a\n"
      "truncated one \"first_visible\" (the first version readers see), one with metadata\n"
      "\"max_count\" and \"max_age_seconds\" (eventium metadata).\n";

const char kDiffHelp[]
    = "Usage: eventium diff EVENT-ID [OTHER-EVENT-ID]\n"
      "\n"
      "Compares two events' payloads and metadata structurally (not as text): one JSON line\n"
      "per added, removed or changed path, "
      "{\"part\":\"payload\"|\"metadata\",\"path\":\"$.a[2].b\",\n"
      "\"change\":\"added\"|\"removed\"|\"changed\",\"before\":…,\"after\":…} (a side that is\n"
      "absent is left out), payload first; nothing when they are the same. With one id, the\n"
      "event is compared with the previous event of its type in its stream (exit 4 when there\n"
      "is none); with two, the first is \"before\". An id no event has (or that readers no\n"
      "longer see) exits 4.\n";

const char kRelatedHelp[]
    = "Usage: eventium related EVENT-ID [--tree] [--limit N]\n"
      "       eventium related --correlation ID [--limit N]\n"
      "\n"
      "Events related through their metadata's \"correlationId\" (one business process)\n"
      "and \"causationId\" (the event that caused it); \"$correlationId\" and\n"
      "\"$causationId\" count too. Prints events in read's format with two more members:\n"
      "first the events with the same correlation id in global order\n"
      "({\"relation\":\"correlation\",…}), then the causation tree the event belongs to,\n"
      "depth first from its root ({\"relation\":\"causation\",\"depth\":1,\n"
      "\"caused_by\":\"<id>\",…}). Served by indexes, never a scan.\n"
      "\n"
      "  --tree              only the causation tree\n"
      "  --correlation ID    only the events with this correlation id\n"
      "  --limit N           at most N events a list (default 1000, at most 100000); a\n"
      "                      longer one is cut there, with a note on stderr\n"
      "\n"
      "An id no event has (or that readers no longer see) exits 4.\n";
const char kStateHelp[]
    = "Usage: eventium state STREAM [--version N]\n"
      "\n"
      "Prints the state of a stream after version N (default: its last) as one JSON object,\n"
      "{\"stream\":…,\"category\":…,\"projection\":…,\"version\":…,\"state\":…}, folded\n"
      "by the projection registered for the stream's category (the part of its name before\n"
      "the first '-'; the bank example registers \"account\"). The stream is read a page at a\n"
      "time from version 1, or from the projection's newest snapshot before N that still\n"
      "matches its event. A category without a projection exits 7; a stream without events,\n"
      "a version past the stream's last or an event the projection cannot read exits 4.\n"
      "\n"
      "Options:\n"
      "  --version N  the version after which to show the state (1 or more)\n";

const char kEraseHelp[]
    = "Usage: eventium erase EVENT-ID [--by NAME] [--reason TEXT]\n"
      "\n"
      "Erases an event's data: its payload becomes {} and its metadata empty; its id, stream,\n"
      "version, type, time and position stay. Who (default: the database role), when and why\n"
      "are recorded. Prints {\"id\":…,\"status\":\"erased\"|\"already erased\",\"erased\":…};\n"
      "an id no event has exits 4. The old data stays in WAL, backups and replicas as long\n"
      "as they are kept (see the README).\n"
      "\n"
      "Options:\n"
      "  --by NAME       who erases it\n"
      "  --reason TEXT   why\n";

const char kDeleteHelp[]
    = "Usage: eventium delete STREAM [--hard] [--expected any|no-stream|exists|N]\n"
      "\n"
      "Deletes a stream. Softly (the default): its events are hidden and it leaves the\n"
      "listings; the next append (any, no-stream, or its last version) brings it back and its\n"
      "versions go on after the last one. With --hard, for good: the name can never be\n"
      "written again (reads, appends, truncations exit 6), also for a stream that did not\n"
      "exist. Hidden events keep their positions; `eventium scavenge` removes their rows.\n"
      "Prints {\"stream\":…,\"status\":\"deleted\"|\"already deleted\"|\"not found\",\n"
      "\"version\":…}; a wrong expected version exits 3.\n"
      "\n"
      "Options:\n"
      "  --hard          delete for good (a tombstone)\n"
      "  --expected E    only if the stream is at E (default: any)\n";

const char kTruncateHelp[]
    = "Usage: eventium truncate STREAM --before N\n"
      "\n"
      "Hides the stream's events before version N (past the end: every event so far); it\n"
      "never moves back. Prints {\"stream\":…,\"first_visible\":…}; a stream that does not\n"
      "exist (or is deleted) exits 4, one deleted for good exits 6.\n"
      "\n"
      "Options:\n"
      "  --before N      the first version readers still see\n";

const char kMetadataHelp[]
    = "Usage: eventium metadata STREAM [--max-count N|none] [--max-age DURATION|none]\n"
      "\n"
      "Shows a stream's metadata, or sets it: readers see only its newest N events\n"
      "(--max-count) and only those younger than DURATION (--max-age: 90s, 15m, 12h, 30d, or\n"
      "seconds); `none` removes a limit. Hidden events keep their positions until\n"
      "`eventium scavenge`. Prints {\"stream\":…,\"max_count\":…,\"max_age_seconds\":…,\n"
      "\"first_visible\":…,\"deleted\":…}; a stream that does not exist exits 4.\n"
      "\n"
      "Options:\n"
      "  --max-count N   keep the newest N events visible (none: no limit)\n"
      "  --max-age D     keep events younger than D visible (none: no limit)\n";

const char kScavengeHelp[]
    = "Usage: eventium scavenge [--batch N]\n"
      "\n"
      "Removes the rows of events no reader sees any more (deleted and truncated streams,\n"
      "over a max count or age), in short transactions of at most N rows (default 10000);\n"
      "positions stay taken, so the global sequence does not change. Safe to run any time\n"
      "and to interrupt. Prints {\"streams\":…,\"removed\":…,\"seconds\":…}.\n"
      "\n"
      "Options:\n"
      "  --batch N       rows per transaction (1 to 100000)\n";

const char kStreamsHelp[]
    = "Usage: eventium streams [--prefix P] [--limit N] [--order name|recent]\n"
      "\n"
      "Lists streams as JSON lines: name, version, created, updated.\n"
      "\n"
      "Options:\n"
      "  --prefix P      only streams whose name starts with P\n"
      "  --limit N       at most N streams (default: all)\n"
      "  --order O       name (default) or recent (last written first)\n";

const char kTailHelp[]
    = "Usage: eventium tail [--from POSITION | --at TIME] [--limit N] [--type T]...\n"
      "                     [--prefix P | --stream S] [--follow]\n"
      "\n"
      "Prints the global sequence (all streams, in position order) as JSON lines.\n"
      "\n"
      "Options:\n"
      "  --from POSITION  the first position (default: 1)\n"
      "  --at TIME        start at the first position whose event was created at or after\n"
      "                   TIME (ISO 8601, e.g. 2026-11-30T14:03:00Z; without a zone: local\n"
      "                   time); none yet: after the newest. Not with --from\n"
      "  --limit N        stop after N events (default: all)\n"
      "  --type T         only events of type T (repeatable)\n"
      "  --prefix P       only events of streams whose name starts with P\n"
      "  --stream S       only the events of stream S (in position order; not of longer\n"
      "                   names that start with S)\n"
      "  --follow         keep running and print new events as they are written;\n"
      "                   stop with Ctrl-C (SIGINT) or SIGTERM\n";

const char kSearchHelp[]
    = "Usage: eventium search [--type T]... [--stream S | --stream-contains S] [--since TIME]\n"
      "                       [--until TIME] [--where EXPR] [--contains JSON] [--text TEXT]\n"
      "                       [--from POSITION|VERSION] [--limit N]\n"
      "\n"
      "Prints the events that match every condition given, as JSON lines in global order\n"
      "(with --stream: that stream's, in version order). PostgreSQL runs the search: --where\n"
      "and --contains are served by the payload's index; the others are checked a bounded\n"
      "window of positions (or of the stream's versions) at a time.\n"
      "\n"
      "Options:\n"
      "  --type T            events of type T (repeatable: any of them)\n"
      "  --stream S          only the stream named S; --from is then a version\n"
      "  --stream-contains S the stream name contains S (not only as a prefix)\n"
      "  --since TIME        created at or after TIME (ISO 8601, e.g. 2026-11-30T14:03:00Z;\n"
      "                      without a zone: local time)\n"
      "  --until TIME        created before TIME\n"
      "  --where EXPR        customerId = 42, customer.name = \"Ann\", total > 100, or a JSON\n"
      "                      path predicate: '$.items[*].sku == \"A-1\"'\n"
      "  --contains JSON     the payload contains this JSON, e.g. '{\"customerId\": 42}'\n"
      "  --text TEXT         TEXT anywhere in the payload, case-insensitive\n"
      "  --from N            the first position (or version) to look at (default: 1)\n"
      "  --limit N           stop after N matches (default: all)\n";

const char kExportHelp[]
    = "Usage: eventium export [--stream S] [--from N] [--to N] [--type T]... [--prefix P]\n"
      "                       [--stream-contains S] [--since TIME] [--until TIME]\n"
      "                       [--where EXPR] [--contains JSON] [--text TEXT]\n"
      "                       [-o FILE] [--progress]\n"
      "\n"
      "Writes events as JSON lines, in the format `eventium read` prints (one event a line:\n"
      "position, stream, version, id, type, data, metadata, created), for `eventium import`.\n"
      "Without conditions, the whole global sequence up to the head when the export starts, in\n"
      "position order. Read a page at a time: memory stays flat however many events.\n"
      "\n"
      "Options:\n"
      "  --stream S          only stream S, in version order; --from and --to are versions\n"
      "  --from N            the first position (with --stream: version) (default: 1)\n"
      "  --to N              the last one, inclusive (default: the head when it starts)\n"
      "  --type T            events of type T (repeatable: any of them)\n"
      "  --prefix P          events of streams whose name starts with P (not with --stream)\n"
      "  --stream-contains S the stream name contains S (not with --stream)\n"
      "  --since TIME        created at or after TIME (ISO 8601)\n"
      "  --until TIME        created before TIME\n"
      "  --where EXPR        as `eventium search --where`, e.g. 'customerId = 42'\n"
      "  --contains JSON     the payload contains this JSON\n"
      "  --text TEXT         TEXT anywhere in the payload, case-insensitive\n"
      "  -o, --output FILE   write to FILE (replaced only when the export is complete) and print\n"
      "                      {\"events\":…,\"bytes\":…,\"file\":…} (default: the events to "
      "stdout)\n"
      "  --progress          report progress on stderr (default: with -o, when stderr is a\n"
      "                      terminal)\n";

const char kImportHelp[]
    = "Usage: eventium import (FILE | -) [--ids keep|new] [--stream S]\n"
      "                       [--expected any|no-stream|N] [--check]\n"
      "\n"
      "Appends the events of a JSON-lines file (or stdin), as `eventium export` and `eventium\n"
      "read` write them: each line needs \"type\" and \"data\", and \"stream\" unless --stream\n"
      "is given; \"metadata\" and \"id\" are optional, other members are ignored. Every line\n"
      "is checked before anything is appended: a bad line imports nothing (exit 4, naming the\n"
      "line). Then the events go in file order in batches of 1,000, each batch one transaction\n"
      "over its streams: a file of at most 1,000 events is imported whole or not at all; of a\n"
      "longer one, the batches before a failed one stay (importing it again with --ids keep\n"
      "adds only what is missing).\n"
      "\n"
      "Options:\n"
      "  --ids M         keep (default): the lines' ids; importing the same file again changes\n"
      "                  nothing (\"alreadyAppended\"); new: fresh ids (to copy events)\n"
      "  --stream S      every event into stream S (default: the stream each line names)\n"
      "  --expected E    what each stream must be at before its first imported event: any\n"
      "                  (default), no-stream, or a version N; otherwise exit 3\n"
      "  --check         only check every line, without a database: prints\n"
      "                  {\"status\":\"valid\",\"lines\":…,\"events\":…}, or exit 4 naming the\n"
      "                  bad line\n"
      "\n"
      "Prints one JSON object: {\"status\":\"imported\",\"lines\":…,\"events\":…,\"appended\":…,\n"
      "\"alreadyAppended\":…,\"streams\":[{\"stream\":…,\"appended\":…,\"alreadyAppended\":…,\n"
      "\"firstVersion\":…,\"lastVersion\":…},…]}; after a failed batch the same with\n"
      "\"status\":\"failed\" and what was written before it, and the error on stderr.\n";

const char kTypesHelp[]
    = "Usage: eventium types [--limit N]\n"
      "\n"
      "Prints the event types that exist, in order, one JSON string a line; read from the\n"
      "type index a step per type, never a pass over the events.\n"
      "\n"
      "Options:\n"
      "  --limit N  at most N types (default 1000, at most 100000)\n";

const char kSubscriptionsHelp[]
    = "Usage: eventium subscriptions\n"
      "       eventium subscriptions move NAME (--to POSITION | --head) [--yes]\n"
      "\n"
      "Lists the durable subscriptions (the toolkit's) as JSON lines, by name: position (the\n"
      "last position handled), head, lag_events (head - position), lag_seconds (how long ago\n"
      "the oldest event not yet handled was created; 0 when caught up), held (a runner holds\n"
      "it now), owner (host:pid of the last runner), handled, updated (the last checkpoint).\n"
      "\n"
      "move sets a subscription's checkpoint: back to replay events (--to 0: all), forward or\n"
      "--head to skip them. It asks on a terminal; elsewhere it needs --yes (exit 2 without).\n"
      "Refused while a runner holds the subscription (exit 3; stop the runner first) and past\n"
      "the head (exit 4); an unknown name exits 4. Prints {\"name\":…,\"from\":…,\"to\":…,\n"
      "\"status\":\"moved\"}.\n"
      "\n"
      "Options (move):\n"
      "  --to POSITION   the last position to count as handled (0 or more, up to the head)\n"
      "  --head          the head: skip everything numbered so far\n"
      "  --yes           do not ask\n";
const char kActivityHelp[]
    = "Usage: eventium activity [--stream S] [--from TIME] [--to TIME]\n"
      "                         [--per second|minute|hour|day] [--top N]\n"
      "\n"
      "Prints how many events were written over time, one JSON line a bucket:\n"
      "{\"start\":…,\"seconds\":…,\"total\":…,\"types\":{\"T\":n,…},\"other\":…,\n"
      "\"estimated\":…,\"position\":…} (with --stream: \"version\"), in time order. Totals\n"
      "are exact and come from the positions at the buckets' bounds, never from a pass over\n"
      "the events; the types are counted in buckets of up to 5,000 events and estimated\n"
      "from a sample of up to 500 in larger ones (\"estimated\":true). \"position\" is\n"
      "the bucket's first event (of an empty one: the next), for `eventium tail --from`.\n"
      "\n"
      "Options:\n"
      "  --stream S   one stream: the events readers see (not truncated or deleted ones)\n"
      "               (default: the whole store, every numbered event)\n"
      "  --from TIME  the first bucket holds TIME (ISO 8601, e.g. 2026-11-30T14:03:00Z;\n"
      "               without a zone: local time) (default: the first event)\n"
      "  --to TIME    the end, exclusive (default: after the newest event)\n"
      "  --per UNIT   the bucket width: second, minute, hour or day (default: a round\n"
      "               width giving at most 120 buckets; without --from, a unit shows the\n"
      "               newest 120 buckets; at most 10,000 buckets)\n"
      "  --top N      name the N most frequent types (default 5, at most 50); the rest\n"
      "               count as \"other\"\n";

const char kStatsHelp[]
    = "Usage: eventium stats\n"
      "\n"
      "Prints one JSON object: events, streams, headPosition, pending (written but not yet\n"
      "numbered), totalBytes, eventsBytes, lagSeconds (age of the oldest unnumbered event),\n"
      "oldestRunningXid (the transaction holding numbering back, or null), and role\n"
      "(primary or standby: the server these were read from, see `eventium status`) with a\n"
      "standby's replayLagMs and replayBytesBehind.\n";

const char kStatusHelp[]
    = "Usage: eventium status\n"
      "\n"
      "Prints a JSON line for each connection: the write connection (--db) and the read\n"
      "connection (--read-db or $DATABASE_READ_URL), or one line for both when reads go to\n"
      "the write connection. Each says: connection (write, read or read+write), server\n"
      "(without its password), serverVersion, user, database, schema, schemaVersion, role\n"
      "(primary or standby) and, for a standby, replayLagMs (how old the newest replayed\n"
      "commit is while WAL waits to be replayed, 0 when it is all replayed; null before\n"
      "anything was) and replayBytesBehind. A connection that fails gets a line with \"error\"\n"
      "and the exit code is that of the error (5: cannot connect).\n";

const char kSampleHelp[]
    = "Usage: eventium sample [--events N] [--seed S] [--force]\n"
      "\n"
      "Fills the store with generated bank data: accounts opened, deposits, withdrawals and\n"
      "transfers (account-<id> and transfer-<id> streams, with metadata).\n"
      "Refuses a store that already has events unless --force.\n"
      "\n"
      "Options:\n"
      "  --events N   how many events, at least 10 (default: 3000)\n"
      "  --seed S     the random seed (default: 42); the same seed gives the same data, so\n"
      "               adding to a store with --force needs another seed\n"
      "  --force      add to a store that is not empty\n";

const char kEmbeddedHelp[]
    = "Usage: eventium embedded start|stop|status\n"
      "\n"
      "Manages the private PostgreSQL server used when neither --db nor $DATABASE_URL is\n"
      "given. Its data directory is $EVENTIUM_DATA_DIR, else ~/.local/share/eventium/postgres\n"
      "(/var/lib/eventium/postgres for root). It listens on a Unix socket in that directory\n"
      "only. Other commands start it when needed and leave it running.\n"
      "\n"
      "  start    initialise the data directory if needed and start the server\n"
      "  stop     stop the server\n"
      "  status   print whether it runs, and where\n";

// ---------------------------------------------------------------- roles

const char kRolesHelp[]
    = "Usage: eventium roles grant reader|writer ROLE\n"
      "       eventium roles revoke ROLE\n"
      "\n"
      "Gives an existing PostgreSQL role exactly the privileges of a reader or a writer in the\n"
      "schema (whatever it had there before is replaced), or takes them all. Run it as the\n"
      "schema's owner or a superuser; the owner itself is refused.\n"
      "\n"
      "  reader   reads, follows and searches: USAGE on the schema, SELECT on the tables\n"
      "           reads use, EXECUTE on sequence_step()\n"
      "  writer   a reader that also appends, through append_events() only (no INSERT,\n"
      "           UPDATE or DELETE on any table)\n"
      "\n"
      "Prints one JSON object: {\"role\": ..., \"schema\": ..., \"privileges\": \"reader\"|\n"
      "\"writer\"|\"none\"}. A role that does not exist is bad input (exit 4).\n";

// `eventium roles grant reader|writer ROLE` and `eventium roles revoke ROLE`.
int rolesCommand(const OptionParser &options, const QString &db, const QString &schema,
                 PoolerMode pooler, bool verbose)
{
    const auto usageError = [](const QString &message) {
        return CliError::usage(QStringLiteral("%1 (see `eventium roles --help`)").arg(message))
            .report();
    };
    const QStringList &args = options.positionals();
    const bool isGrant = !args.isEmpty() && args.first() == QLatin1String("grant");
    const bool isRevoke = !args.isEmpty() && args.first() == QLatin1String("revoke");
    if (!isGrant && !isRevoke)
        return usageError(QStringLiteral("roles needs grant or revoke"));
    if ((isGrant && args.size() != 3) || (isRevoke && args.size() != 2))
        return usageError(isGrant ? QStringLiteral("roles grant needs reader or writer and a role")
                                  : QStringLiteral("roles revoke needs a role"));
    std::optional<Roles::Kind> kind;
    if (isGrant) {
        kind = Roles::parseKind(args.at(1));
        if (!kind)
            return usageError(
                QStringLiteral("roles grant gives reader or writer, not \"%1\"").arg(args.at(1)));
    }
    const QString role = args.last();
    if (QString why = Store::validateSchemaName(schema); !why.isEmpty())
        return CliError::badInput(why).report();

    ConnectionResolver resolver(db, verbose);
    auto connection = resolver.resolve();
    if (!connection)
        return resolver.error().report();
    StoreSettings settings;
    settings.schema = schema;
    settings.poolSize = 2;
    settings.runSequencer = false;
    settings.pooler = pooler;
    auto store = std::make_unique<Store>(*connection, settings);
    auto pinged = store->ping();
    if (!pinged && resolver.mayStartEmbedded()) {
        connection = resolver.startEmbedded();
        if (!connection)
            return resolver.error().report();
        store = std::make_unique<Store>(*connection, settings);
        pinged = store->ping();
    }
    if (!pinged)
        return CliError(ExitNoConnection,
                        pinged.error().kind() == StoreError::Kind::ConnectionLost
                            ? pinged.error().message()
                            : QStringLiteral("cannot connect to %1: %2")
                                  .arg(connection->toDisplayString(), pinged.error().toString()))
            .report();
    // As the other commands do: a schema that does not exist yet is created first.
    auto version = store->schemaVersion();
    if (!version)
        return CliError::fromStore(version.error()).report();
    if (version.value() == 0) {
        if (auto migrated = store->migrate(); !migrated)
            return CliError::fromStore(migrated.error()).report();
    }
    auto done = kind ? Roles::grant(*store, *kind, role) : Roles::revoke(*store, role);
    if (!done)
        return CliError::fromStore(done.error()).report();
    printOut(QString::fromUtf8(
        JsonLine()
            .add("role", role)
            .add("schema", schema)
            .add("privileges", kind ? Roles::kindName(*kind) : QStringLiteral("none"))
            .toJson()
        + '\n'));
    return ExitSuccess;
}

} // namespace

Cli::Cli() = default;

Cli::~Cli()
{
    m_out.flush();
}

void Cli::addGlobalOptions(OptionParser &parser)
{
    parser.addOption(QStringLiteral("db"));
    parser.addOption(QStringLiteral("read-db"));
    parser.addOption(QStringLiteral("schema"));
    parser.addOption(QStringLiteral("pooler"));
    parser.addFlag(QStringLiteral("verbose"));
}

void Cli::applyGlobalOptions(const OptionParser &parser)
{
    if (parser.isSet(QStringLiteral("db")))
        m_db = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("read-db")))
        m_readDb = parser.value(QStringLiteral("read-db"));
    if (parser.isSet(QStringLiteral("schema")))
        m_schema = parser.value(QStringLiteral("schema"));
    if (parser.isSet(QStringLiteral("pooler")))
        m_poolerText = parser.value(QStringLiteral("pooler"));
    if (parser.isSet(QStringLiteral("verbose")))
        m_verbose = true;
}

QString Cli::resolvePooler()
{
    const bool given = !m_poolerText.isEmpty();
    const QString text = given ? m_poolerText : qEnvironmentVariable("EVENTIUM_POOLER");
    if (text.isEmpty())
        return {};
    const auto mode = parsePoolerMode(text);
    if (!mode)
        return QStringLiteral("%1: \"%2\" is not a pooler mode (direct, session or transaction)")
            .arg(given ? QStringLiteral("--pooler") : QStringLiteral("EVENTIUM_POOLER"), text);
    m_pooler = *mode;
    return {};
}

// ---------------------------------------------------------------- the commands

// Every command once: its name, its line in the overview, its help page, its options and
// the function that runs it. Parsing, dispatch and help all read this table.
std::span<const Command> Cli::commands()
{
    static const Command table[] = {
        {
            .name = "migrate",
            .summary = "create or upgrade the schema",
            .help = kMigrateHelp,
            .run = &Cli::migrate,
        },
        {
            .name = "append",
            .summary = "append events to a stream",
            .help = kAppendHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("expected"));
                    parser.addOption(QStringLiteral("type"));
                    parser.addOption(QStringLiteral("data"));
                    parser.addOption(QStringLiteral("metadata"));
                    parser.addOption(QStringLiteral("id"));
                    parser.addOption(QStringLiteral("ids"));
                },
            .run = &Cli::append,
        },
        {
            .name = "read",
            .summary = "read a stream's events",
            .help = kReadHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("from"));
                    parser.addOption(QStringLiteral("at"));
                    parser.addOption(QStringLiteral("limit"));
                    parser.addFlag(QStringLiteral("backward"));
                },
            .run = &Cli::read,
        },
        {
            .name = "stream-info",
            .summary = "whether a stream exists, and its version",
            .help = kStreamInfoHelp,
            .reads = true,
            .run = &Cli::streamInfo,
        },
        {
            .name = "diff",
            .summary = "compare two events, or one with the previous of its type",
            .help = kDiffHelp,
            .reads = true,
            .run = &Cli::diff,
        },
        {
            .name = "related",
            .summary = "events of the same process, and an event's causes and effects",
            .help = kRelatedHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addFlag(QStringLiteral("tree"));
                    parser.addOption(QStringLiteral("correlation"));
                    parser.addOption(QStringLiteral("limit"));
                },
            .run = &Cli::related,
        },
        {
            .name = "state",
            .summary = "a stream's state after a version, by its category's projection",
            .help = kStateHelp,
            .reads = true,
            .addOptions = [](OptionParser &parser) { parser.addOption(QStringLiteral("version")); },
            .run = &Cli::state,
        },
        {
            .name = "erase",
            .summary = "erase an event's data (keeps its place)",
            .help = kEraseHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("by"));
                    parser.addOption(QStringLiteral("reason"));
                },
            .run = &Cli::erase,
        },
        {
            .name = "delete",
            .summary = "delete a stream (softly, or for good with --hard)",
            .help = kDeleteHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addFlag(QStringLiteral("hard"));
                    parser.addOption(QStringLiteral("expected"));
                },
            .run = &Cli::deleteStream,
        },
        {
            .name = "truncate",
            .summary = "hide a stream's events before a version",
            .help = kTruncateHelp,
            .addOptions = [](OptionParser &parser) { parser.addOption(QStringLiteral("before")); },
            .run = &Cli::truncate,
        },
        {
            .name = "metadata",
            .summary = "show or set a stream's max count and max age",
            .help = kMetadataHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("max-count"));
                    parser.addOption(QStringLiteral("max-age"));
                },
            .run = &Cli::metadata,
        },
        {
            .name = "scavenge",
            .summary = "remove the rows of events no reader sees",
            .help = kScavengeHelp,
            .addOptions = [](OptionParser &parser) { parser.addOption(QStringLiteral("batch")); },
            .run = &Cli::scavenge,
        },
        {
            .name = "streams",
            .summary = "list streams",
            .help = kStreamsHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("prefix"));
                    parser.addOption(QStringLiteral("limit"));
                    parser.addOption(QStringLiteral("order"));
                },
            .run = &Cli::streams,
        },
        {
            .name = "tail",
            .summary = "read (or follow) the global sequence",
            .help = kTailHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("from"));
                    parser.addOption(QStringLiteral("at"));
                    parser.addOption(QStringLiteral("limit"));
                    parser.addOption(QStringLiteral("type"), true);
                    parser.addOption(QStringLiteral("prefix"));
                    parser.addOption(QStringLiteral("stream"));
                    parser.addFlag(QStringLiteral("follow"));
                },
            .run = &Cli::tail,
        },
        {
            .name = "search",
            .summary = "find events by type, stream, time and content",
            .help = kSearchHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    addSearchFilterOptions(parser);
                    parser.addOption(QStringLiteral("stream"));
                    parser.addOption(QStringLiteral("from"));
                    parser.addOption(QStringLiteral("limit"));
                },
            .run = &Cli::search,
        },
        {
            .name = "export",
            .summary = "write events as JSON lines (a stream, a range, a search)",
            .help = kExportHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    addSearchFilterOptions(parser);
                    parser.addOption(QStringLiteral("stream"));
                    parser.addOption(QStringLiteral("prefix"));
                    parser.addOption(QStringLiteral("from"));
                    parser.addOption(QStringLiteral("to"));
                    parser.addOption(QStringLiteral("output"));
                    parser.addShortName(QLatin1Char('o'), QStringLiteral("output"));
                    parser.addFlag(QStringLiteral("progress"));
                },
            .run = &Cli::exportCommand,
        },
        {
            .name = "import",
            .summary = "append the events of a JSON-lines file or stdin",
            .help = kImportHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("ids"));
                    parser.addOption(QStringLiteral("stream"));
                    parser.addOption(QStringLiteral("expected"));
                    parser.addFlag(QStringLiteral("check"));
                },
            .run = &Cli::importCommand,
        },
        {
            .name = "types",
            .summary = "the event types that exist",
            .help = kTypesHelp,
            .reads = true,
            .addOptions = [](OptionParser &parser) { parser.addOption(QStringLiteral("limit")); },
            .run = &Cli::types,
        },
        {
            .name = "subscriptions",
            .summary = "where each subscription stands; move a checkpoint",
            .help = kSubscriptionsHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("to"));
                    parser.addFlag(QStringLiteral("head"));
                    parser.addFlag(QStringLiteral("yes"));
                },
            .run = &Cli::subscriptions,
        },
        {
            .name = "activity",
            .summary = "events per second, minute, hour or day, with their types",
            .help = kActivityHelp,
            .reads = true,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("stream"));
                    parser.addOption(QStringLiteral("from"));
                    parser.addOption(QStringLiteral("to"));
                    parser.addOption(QStringLiteral("per"));
                    parser.addOption(QStringLiteral("top"));
                },
            .run = &Cli::activity,
        },
        {
            .name = "stats",
            .summary = "counts, sizes and sequencer lag as one JSON object",
            .help = kStatsHelp,
            .reads = true,
            .run = &Cli::stats,
        },
        {
            .name = "status",
            .summary = "the servers read from and written to: primary or standby, replay lag",
            .help = kStatusHelp,
            .reads = true,
            .run = &Cli::status,
        },
        {
            .name = "sample",
            .summary = "fill an empty store with sample data",
            .help = kSampleHelp,
            .addOptions =
                [](OptionParser &parser) {
                    parser.addOption(QStringLiteral("events"));
                    parser.addOption(QStringLiteral("seed"));
                    parser.addFlag(QStringLiteral("force"));
                },
            .run = &Cli::sample,
        },
        {
            .name = "embedded",
            .summary = "start, stop or show the embedded PostgreSQL server",
            .help = kEmbeddedHelp,
            .usesStore = false,
            .run = &Cli::embedded,
        },
        {
            .name = "roles",
            .summary = "grant a PostgreSQL role reader or writer privileges, or revoke them",
            .help = kRolesHelp,
            .run = &Cli::roles,
        },
    };
    return table;
}

const Command *Cli::findCommand(const QString &name)
{
    for (const Command &command : commands()) {
        if (name == QLatin1String(command.name))
            return &command;
    }
    return nullptr;
}

int Cli::usage(const QString &command, const QString &message)
{
    return usageError(command, message).report();
}

void Cli::note(const QString &message) const
{
    if (m_verbose)
        CliError::printLine(message);
}

int Cli::run(const QStringList &arguments)
{
    const QStringList args = arguments.mid(1);
    m_schema = qEnvironmentVariable("EVENTIUM_SCHEMA");
    if (m_schema.isEmpty())
        m_schema = QStringLiteral("eventium");
    m_verbose = args.contains(QLatin1String("--verbose"));
    // The store logs failed queries as warnings; here every failure is reported once, as the
    // error line, so its logging is for --verbose only.
    QLoggingCategory::setFilterRules(m_verbose ? QStringLiteral("eventium.*.info=true")
                                               : QStringLiteral("eventium.*=false"));
    if (!m_verbose)
        qInstallMessageHandler(quietMessageHandler);

    OptionParser global;
    addGlobalOptions(global);
    global.addFlag(QStringLiteral("version"));
    global.setStopAtPositional(true);
    if (QString why = global.parse(args); !why.isEmpty())
        return usage({}, why);
    if (global.isSet(QStringLiteral("version"))) {
        printOut(QStringLiteral("eventium %1\n").arg(QStringLiteral(EVENTIUM_VERSION)));
        return ExitSuccess;
    }
    applyGlobalOptions(global);
    QStringList rest = global.remaining();
    if (rest.isEmpty()) {
        if (global.helpRequested()) {
            printOut(HelpText::overview(commands()));
            return ExitSuccess;
        }
        return usage({}, QStringLiteral("no command given"));
    }
    const QString name = rest.takeFirst();
    if (name == QLatin1String("help")) { // eventium help [COMMAND]
        if (rest.isEmpty()) {
            printOut(HelpText::overview(commands()));
            return ExitSuccess;
        }
        const Command *command = findCommand(rest.first());
        if (!command)
            return usage({}, QStringLiteral("unknown command \"%1\"").arg(rest.first()));
        printOut(HelpText::command(*command));
        return ExitSuccess;
    }
    const Command *command = findCommand(name);
    if (!command)
        return usage({}, QStringLiteral("unknown command \"%1\"").arg(name));
    if (global.helpRequested()) { // eventium --help COMMAND
        printOut(HelpText::command(*command));
        return ExitSuccess;
    }
    OptionParser parser;
    addGlobalOptions(parser);
    if (command->addOptions)
        command->addOptions(parser);
    if (QString why = parser.parse(rest); !why.isEmpty())
        return usage(name, QStringLiteral("%1: %2").arg(name, why));
    if (parser.helpRequested()) {
        printOut(HelpText::command(*command));
        return ExitSuccess;
    }
    applyGlobalOptions(parser);
    if (QString why = resolvePooler(); !why.isEmpty())
        return usage(name, why);
    if (m_verbose) {
        QLoggingCategory::setFilterRules(QStringLiteral("eventium.*.info=true"));
        qInstallMessageHandler(nullptr);
    }
    m_command = command;
    const int code = (this->*command->run)(parser);
    m_out.flush();
    return code;
}

std::optional<CliError> Cli::openStore(bool migrateIfMissing)
{
    if (QString why = Store::validateSchemaName(m_schema); !why.isEmpty())
        return CliError::badInput(why);
    ConnectionResolver resolver(m_db, m_verbose, m_readDb);
    auto options = resolver.resolve();
    if (!options)
        return resolver.error();
    if (!resolver.resolveReader())
        return resolver.error();
    StoreSettings settings;
    settings.schema = m_schema;
    settings.poolSize = 2;
    settings.runSequencer = false; // one short-lived process: it numbers its writes itself
    m_readOptions.reset();
    if (resolver.reader()) {
        if (m_command && m_command->reads) {
            m_readOptions = resolver.reader();
            settings.readConnection = m_readOptions;
        } else if (m_command) {
            note(QStringLiteral("%1 writes: it does not use %2")
                     .arg(QString::fromLatin1(m_command->name), resolver.readerSource()));
        }
    }
    // A reading command with a read connection needs that one, not the writer (which may be
    // down while its standby serves reads).
    const StoreConnection first = m_readOptions ? StoreConnection::Read : StoreConnection::Write;
    settings.pooler = m_pooler;
    auto connect = [&]() -> Result<Done> {
        m_options = *options;
        note(QStringLiteral("connecting to %1 (from %2), schema %3, pooler %4")
                 .arg(m_options.toDisplayString(), resolver.source(), m_schema,
                      poolerModeName(m_pooler)));
        if (m_readOptions)
            note(QStringLiteral("reading from %1 (from %2)")
                     .arg(m_readOptions->toDisplayString(), resolver.readerSource()));
        m_store = std::make_unique<Store>(m_options, settings);
        return m_store->ping(first);
    };
    auto pinged = connect();
    if (!pinged && !m_readOptions && resolver.mayStartEmbedded()) {
        // The embedded server looked running but is not (a stale postmaster.pid): start it.
        options = resolver.startEmbedded();
        if (!options)
            return resolver.error();
        pinged = connect();
    }
    if (!pinged) {
        // Whatever stops the first round trip leaves no usable connection. A connection that
        // cannot be made (ConnectionLost) is described by the store: the server, without its
        // password, and libpq's reason.
        const StoreError &error = pinged.error();
        if (error.kind() == StoreError::Kind::ConnectionLost)
            return CliError(ExitNoConnection, error.message());
        return CliError(ExitNoConnection,
                        QStringLiteral("cannot connect to %1: %2")
                            .arg((m_readOptions ? *m_readOptions : m_options).toDisplayString(),
                                 error.toString()));
    }
    if (m_verbose && m_readOptions) {
        if (auto replication = m_store->replication(); replication)
            note(QStringLiteral("the read connection's server: %1")
                     .arg(roleText(replication.value())));
    }
    if (!migrateIfMissing)
        return std::nullopt;
    auto version = m_store->schemaVersion(first);
    if (!version)
        return CliError::fromStore(version.error());
    if (version.value() == 0) {
        note(QStringLiteral("schema \"%1\" does not exist yet; creating it").arg(m_schema));
        auto migrated = m_store->migrate();
        if (!migrated)
            return CliError::fromStore(migrated.error());
        note(QStringLiteral("schema \"%1\" created at version %2")
                 .arg(m_schema)
                 .arg(migrated.value()));
        waitForReadSchema();
    } else if (version.value() < Store::latestSchemaVersion()) {
        // An older schema (made by an older eventium): brought up to date, as the browser
        // does; migrations are idempotent and safe beside other processes. A role that may
        // not migrate is told what to run instead of failing on a missing column later.
        note(QStringLiteral("schema \"%1\" is at version %2; migrating it to %3")
                 .arg(m_schema)
                 .arg(version.value())
                 .arg(Store::latestSchemaVersion()));
        auto migrated = m_store->migrate();
        if (!migrated)
            return CliError(ExitFailure,
                            QStringLiteral("schema \"%1\" is at version %2 and this eventium needs "
                                           "%3; run `eventium migrate` as the schema's owner (%4)")
                                .arg(m_schema)
                                .arg(version.value())
                                .arg(Store::latestSchemaVersion())
                                .arg(migrated.error().toString()));
        waitForReadSchema();
    }
    return std::nullopt;
}

void Cli::waitForReadSchema()
{
    if (!m_readOptions)
        return;
    // A standby has the schema once it has replayed the migration: a moment, normally.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        auto version = m_store->schemaVersion(StoreConnection::Read);
        if (!version || version.value() >= Store::latestSchemaVersion())
            return;
        QThread::msleep(20);
    }
    note(QStringLiteral("the read connection has not replayed the migration yet"));
}

void Cli::sequenceBeforeExit(std::chrono::milliseconds timeout)
{
    auto head = m_store->sequenceNow(timeout);
    if (!head)
        note(QStringLiteral("events not yet numbered (another process will): %1")
                 .arg(head.error().toString()));
}

// ---------------------------------------------------------------- commands

int Cli::migrate(const OptionParser &options)
{
    if (!options.positionals().isEmpty())
        return usage(QStringLiteral("migrate"), QStringLiteral("migrate takes no arguments"));
    if (auto error = openStore(false))
        return error->report();
    auto version = m_store->migrate();
    if (!version)
        return CliError::fromStore(version.error()).report();
    m_out.writeLine(
        JsonLine().add("schema", m_schema).add("version", qint64(version.value())).toJson());
    return ExitSuccess;
}

int Cli::append(const OptionParser &options)
{
    const QString command = QStringLiteral("append");
    const QStringList &args = options.positionals();
    if (args.isEmpty())
        return usage(command, QStringLiteral("append needs a stream name"));
    const bool fromStdin = args.size() == 2 && args.at(1) == QLatin1String("-");
    if (args.size() > 2 || (args.size() == 2 && !fromStdin))
        return usage(command, QStringLiteral("unexpected argument \"%1\"").arg(args.last()));
    const QString stream = args.first();

    const auto expectedOrNot = expectedOption(options);
    if (!expectedOrNot)
        return usage(
            command,
            QStringLiteral("--expected is any, no-stream, exists or a version >= 0, not \"%1\"")
                .arg(options.value(QStringLiteral("expected"))));
    const ExpectedVersion expected = *expectedOrNot;
    const auto idMode = idsOption(options);
    if (!idMode)
        return usage(command,
                     QStringLiteral("--ids is keep or new, not \"%1\"")
                         .arg(options.value(QStringLiteral("ids"))));
    if (!fromStdin && options.isSet(QStringLiteral("ids")))
        return usage(command,
                     QStringLiteral("--ids goes with - (events from stdin); one event takes --id"));

    QList<NewEvent> events;
    const QStringList eventOptions {QStringLiteral("type"), QStringLiteral("data"),
                                    QStringLiteral("metadata"), QStringLiteral("id")};
    if (fromStdin) {
        for (const QString &name : eventOptions) {
            if (options.isSet(name))
                return usage(
                    command,
                    QStringLiteral("--%1 cannot be combined with - (events come from stdin)")
                        .arg(name));
        }
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return CliError(ExitFailure,
                            QStringLiteral("cannot read stdin: %1").arg(in.errorString()))
                .report();
        StdinEventReader reader;
        if (!reader.read(&in))
            return CliError::badInput(reader.error()).report();
        if (reader.events().isEmpty())
            return CliError::badInput(QStringLiteral("no events on stdin")).report();
        events = reader.events();
        if (*idMode == IdMode::New) {
            for (NewEvent &event : events)
                event.id = QUuid();
        }
    } else {
        if (!options.isSet(QStringLiteral("type")) || !options.isSet(QStringLiteral("data")))
            return usage(
                command,
                QStringLiteral("append needs --type and --data, or - to read events from stdin"));
        NewEvent event;
        event.type = options.value(QStringLiteral("type"));
        event.data = options.value(QStringLiteral("data")).toUtf8();
        event.metadata = options.value(QStringLiteral("metadata")).toUtf8();
        if (options.isSet(QStringLiteral("id"))) {
            event.id = QUuid::fromString(options.value(QStringLiteral("id")).trimmed());
            if (event.id.isNull())
                return CliError::badInput(QStringLiteral("--id \"%1\" is not a UUID")
                                              .arg(options.value(QStringLiteral("id"))))
                    .report();
        }
        events.append(event);
    }
    // Checked before connecting: bad input never needs a database to be reported.
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();

    if (auto error = openStore(true))
        return error->report();
    auto result = m_store->append(StreamName(stream), expected, events);
    if (!result)
        return appendError(result.error(), fromStdin && *idMode == IdMode::Keep, command).report();
    const AppendResult &r = result.value();
    if (r.isConflict())
        return wrongVersion(stream, expected, r.actualVersion).report();
    if (r.status == AppendResult::Status::Appended)
        sequenceBeforeExit(std::chrono::seconds(2));
    QStringList ids;
    for (const QUuid &id : r.eventIds)
        ids << id.toString(QUuid::WithoutBraces);
    m_out.writeLine(JsonLine()
                        .add("stream", r.stream)
                        .add("firstVersion", r.firstVersion.value)
                        .add("lastVersion", r.lastVersion.value)
                        .add("ids", ids)
                        .add("status",
                             r.status == AppendResult::Status::Appended
                                 ? QStringLiteral("appended")
                                 : QStringLiteral("already-appended"))
                        .toJson());
    return ExitSuccess;
}

int Cli::read(const OptionParser &options)
{
    const QString command = QStringLiteral("read");
    if (options.positionals().size() != 1)
        return usage(command,
                     options.positionals().isEmpty()
                         ? QStringLiteral("read needs a stream name")
                         : QStringLiteral("read takes one stream name"));
    const QString stream = options.positionals().first();
    const bool backward = options.isSet(QStringLiteral("backward"));
    std::optional<QDateTime> at;
    if (QString why; !atOption(options, &at, &why))
        return usage(command, why);
    const bool fromEnd = options.isSet(QStringLiteral("from"))
        && options.value(QStringLiteral("from")) == QLatin1String("end");
    const auto fromOption = fromEnd ? std::optional<qint64>(StreamVersion::end().value)
                                    : numberOption(options, QStringLiteral("from"), 0,
                                                   backward ? StreamVersion::end().value : 1);
    if (!fromOption)
        return usage(command, QStringLiteral("--from is a version >= 0, or end"));
    qint64 from = *fromOption;
    const auto limitOption = numberOption(options, QStringLiteral("limit"), 1, kNoLimit);
    if (!limitOption)
        return usage(command, QStringLiteral("--limit is a number >= 1"));
    const qint64 limit = *limitOption;
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    if (auto error = openStore(true))
        return error->report();
    if (at) {
        // Forwards from the first version created at or after the time; backwards from the
        // one before it (from the newest when every event is older).
        auto version = m_store->versionAt(StreamName(stream), *at);
        if (!version)
            return CliError::fromStore(version.error()).report();
        if (!version->has_value() && !backward)
            return ExitSuccess;
        from = !version->has_value() ? StreamVersion::end().value
            : backward               ? (*version)->value - 1
                                     : (*version)->value;
        if (from < 1)
            return ExitSuccess;
    }

    qint64 written = 0;
    while (true) {
        const int pageSize = nextPageSize(limit, written);
        auto page
            = m_store->readStream(StreamName(stream), StreamVersion(from),
                                  backward ? Direction::Backward : Direction::Forward, pageSize);
        if (!page)
            return CliError::fromStore(page.error()).report();
        for (const RecordedEvent &event : page.value())
            m_out.writeEvent(event);
        written += page->size();
        if (page->size() < pageSize || (limit != kNoLimit && written >= limit))
            break;
        from = page->last().version.value + (backward ? -1 : 1);
        if (from < 1)
            break;
    }
    return ExitSuccess;
}

int Cli::streams(const OptionParser &options)
{
    const QString command = QStringLiteral("streams");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    StreamOrder order = StreamOrder::ByName;
    if (options.isSet(QStringLiteral("order"))) {
        const QString o = options.value(QStringLiteral("order"));
        if (o == QLatin1String("recent"))
            order = StreamOrder::ByRecency;
        else if (o != QLatin1String("name"))
            return usage(command, QStringLiteral("--order is name or recent, not \"%1\"").arg(o));
    }
    const auto limitOption = numberOption(options, QStringLiteral("limit"), 1, kNoLimit);
    if (!limitOption)
        return usage(command, QStringLiteral("--limit is a number >= 1"));
    const qint64 limit = *limitOption;
    const QString prefix = options.value(QStringLiteral("prefix"));
    if (auto error = openStore(true))
        return error->report();

    StreamCursor cursor;
    qint64 written = 0;
    while (true) {
        const int pageSize = nextPageSize(limit, written);
        auto page = m_store->listStreams(cursor, pageSize, order, prefix);
        if (!page)
            return CliError::fromStore(page.error()).report();
        for (const StreamInfo &info : page->streams)
            m_out.writeStream(info);
        written += page->streams.size();
        if (!page->hasMore || (limit != kNoLimit && written >= limit))
            break;
        cursor = page->next;
    }
    return ExitSuccess;
}

int Cli::tail(const OptionParser &options)
{
    const QString command = QStringLiteral("tail");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    const auto fromOption = numberOption(options, QStringLiteral("from"), 0, 1);
    if (!fromOption)
        return usage(command, QStringLiteral("--from is a position >= 1"));
    qint64 from = qMax<qint64>(1, *fromOption);
    std::optional<QDateTime> at;
    if (QString why; !atOption(options, &at, &why))
        return usage(command, why);
    const auto limitOption = numberOption(options, QStringLiteral("limit"), 1, kNoLimit);
    if (!limitOption)
        return usage(command, QStringLiteral("--limit is a number >= 1"));
    const qint64 limit = *limitOption;
    GlobalFilter filter;
    filter.types = options.values(QStringLiteral("type"));
    filter.streamPrefix = options.value(QStringLiteral("prefix"));
    if (options.isSet(QStringLiteral("stream"))) {
        if (options.isSet(QStringLiteral("prefix")))
            return usage(command, QStringLiteral("--stream and --prefix cannot be combined"));
        filter.stream = options.value(QStringLiteral("stream"));
        if (QString why = StreamName::validate(filter.stream); !why.isEmpty())
            return CliError::badInput(QStringLiteral("--stream: %1").arg(why)).report();
    }
    for (const QString &type : std::as_const(filter.types)) {
        if (type.isEmpty())
            return usage(command, QStringLiteral("--type cannot be empty"));
    }
    if (auto error = openStore(true))
        return error->report();
    if (at) {
        // The first position created at or after the time; none yet: after the head, so
        // that --follow prints what comes. The head is read before and after the search: if
        // it moved meanwhile, an event numbered in between may be one to print.
        for (int attempt = 0;; ++attempt) {
            auto before = m_store->headPosition();
            if (!before)
                return CliError::fromStore(before.error()).report();
            auto position = m_store->positionAt(*at);
            if (!position)
                return CliError::fromStore(position.error()).report();
            if (position->has_value()) {
                from = (*position)->value;
                break;
            }
            auto after = m_store->headPosition();
            if (!after)
                return CliError::fromStore(after.error()).report();
            // Unchanged: every numbered event is older than the time. Still moving after a
            // few tries: start after the first head (older events may show, none is lost).
            from = before->value + 1;
            if (after.value() == before.value() || attempt == 4)
                break;
        }
    }

    if (options.isSet(QStringLiteral("follow"))) {
        Follower::Settings settings;
        settings.schema = m_schema;
        settings.from = GlobalPosition(from);
        settings.filter = filter;
        settings.pooler = m_pooler;
        // It reads where the other reading commands do (a standby, with --read-db).
        TailFollower follower(m_store->readConnectionOptions(), settings, limit, &m_out, m_verbose);
        return follower.exec();
    }

    return printGlobal(GlobalPosition(from), limit, filter);
}

int Cli::printGlobal(GlobalPosition from, qint64 limit, const GlobalFilter &filter)
{
    // Number whatever a writer that died left behind, so it is not missing from the output.
    (void)m_store->sequenceStep();
    qint64 written = 0;
    GlobalPosition next = from;
    while (true) {
        const int pageSize = nextPageSize(limit, written);
        auto page = m_store->readAll(next, pageSize, filter);
        if (!page)
            return CliError::fromStore(page.error()).report();
        for (const RecordedEvent &event : page->events)
            m_out.writeEvent(event);
        written += page->events.size();
        if ((limit != kNoLimit && written >= limit) || page->next.value > page->head.value)
            break;
        next = page->next;
    }
    return ExitSuccess;
}

int Cli::search(const OptionParser &options)
{
    const QString command = QStringLiteral("search");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    const auto fromOption = numberOption(options, QStringLiteral("from"), 1, 1);
    if (!fromOption)
        return usage(command, QStringLiteral("--from is a position >= 1"));
    const auto limitOption = numberOption(options, QStringLiteral("limit"), 1, kNoLimit);
    if (!limitOption)
        return usage(command, QStringLiteral("--limit is a number >= 1"));
    GlobalFilter filter;
    if (auto error = searchFilterOptions(command, options, &filter))
        return error->report();
    if (options.isSet(QStringLiteral("stream"))) {
        const QString stream = options.value(QStringLiteral("stream"));
        if (QString why = StreamName::validate(stream); !why.isEmpty())
            return CliError::badInput(QStringLiteral("--stream: %1").arg(why)).report();
        if (!filter.streamContains.isEmpty())
            return usage(command,
                         QStringLiteral("--stream and --stream-contains do not go together"));
        if (auto error = openStore(true))
            return error->report();
        return printStreamSearch(StreamName(stream), StreamVersion(*fromOption), *limitOption,
                                 filter);
    }
    if (filter.isEmpty())
        return usage(command, QStringLiteral("give at least one condition (see --help)"));
    if (auto error = openStore(true))
        return error->report();
    return printGlobal(GlobalPosition(*fromOption), *limitOption, filter);
}

int Cli::printStreamSearch(const StreamName &stream, StreamVersion from, qint64 limit,
                           const GlobalFilter &filter)
{
    qint64 written = 0;
    StreamVersion next = from;
    while (true) {
        auto page = m_store->searchStream(stream, next, nextPageSize(limit, written), filter);
        if (!page)
            return CliError::fromStore(page.error()).report();
        for (const RecordedEvent &event : page->events)
            m_out.writeEvent(event);
        written += page->events.size();
        if ((limit != kNoLimit && written >= limit) || page->atEnd())
            break;
        next = page->next;
    }
    return ExitSuccess;
}

namespace {

// Progress of an export on stderr: rewritten in place on a terminal, a line a second otherwise.
class ProgressLine
{
public:
    explicit ProgressLine(bool enabled)
        : m_enabled(enabled)
        , m_terminal(::isatty(STDERR_FILENO) == 1)
    {
        m_timer.start();
    }

    void update(const TransferProgress &p, bool last = false)
    {
        if (!m_enabled || (!last && m_shown && m_timer.elapsed() < (m_terminal ? 200 : 1000)))
            return;
        m_timer.restart();
        m_shown = true;
        const QString text = QStringLiteral("eventium: exported %1 events (at %2 of %3)")
                                 .arg(p.events)
                                 .arg(p.reached)
                                 .arg(p.end);
        if (m_terminal)
            std::fprintf(stderr, "\r%s%s", text.toLocal8Bit().constData(), last ? "\n" : "");
        else
            std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
        std::fflush(stderr);
    }

private:
    bool m_enabled;
    bool m_terminal;
    bool m_shown = false;
    QElapsedTimer m_timer;
};

} // namespace

int Cli::exportCommand(const OptionParser &options)
{
    const QString command = QStringLiteral("export");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    ExportOptions exportOptions;
    if (auto error = searchFilterOptions(command, options, &exportOptions.filter))
        return error->report();
    exportOptions.filter.streamPrefix = options.value(QStringLiteral("prefix"));
    const bool oneStream = options.isSet(QStringLiteral("stream"));
    if (oneStream) {
        if (options.isSet(QStringLiteral("prefix"))
            || options.isSet(QStringLiteral("stream-contains")))
            return usage(command,
                         QStringLiteral("--stream does not go with --prefix or --stream-contains"));
        exportOptions.stream = options.value(QStringLiteral("stream"));
        if (QString why = StreamName::validate(exportOptions.stream); !why.isEmpty())
            return CliError::badInput(QStringLiteral("--stream: %1").arg(why)).report();
    }
    const QString unit = oneStream ? QStringLiteral("version") : QStringLiteral("position");
    const auto from = numberOption(options, QStringLiteral("from"), 1, 1);
    if (!from)
        return usage(command, QStringLiteral("--from is a %1 >= 1").arg(unit));
    const auto to = numberOption(options, QStringLiteral("to"), 1, 0);
    if (!to)
        return usage(command, QStringLiteral("--to is a %1 >= 1").arg(unit));
    if (*to > 0 && *to < *from)
        return usage(command, QStringLiteral("--to is before --from"));
    exportOptions.from = *from;
    exportOptions.to = *to;
    const bool toFile = options.isSet(QStringLiteral("output"));
    const QString path = options.value(QStringLiteral("output"));
    if (toFile && path.isEmpty())
        return usage(command, QStringLiteral("--output needs a file name"));

    if (auto error = openStore(true))
        return error->report();
    // Number whatever a writer that died left behind, so it is not missing from the export.
    (void)m_store->sequenceStep();

    QSaveFile file(path);
    QFile out;
    QIODevice *device = nullptr;
    if (toFile) {
        if (!file.open(QIODevice::WriteOnly))
            return CliError(ExitFailure,
                            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()))
                .report();
        device = &file;
    } else {
        m_out.flush();
        if (!out.open(stdout, QIODevice::WriteOnly, QFileDevice::DontCloseHandle))
            return CliError(ExitFailure,
                            QStringLiteral("cannot write stdout: %1").arg(out.errorString()))
                .report();
        device = &out;
    }
    ProgressLine progress(options.isSet(QStringLiteral("progress"))
                          || (toFile && ::isatty(STDERR_FILENO) == 1));
    exportOptions.progress = [&progress](const TransferProgress &p) { progress.update(p); };
    auto result = eventium::exportEvents(*m_store, *device, exportOptions);
    if (!result) {
        if (toFile)
            file.cancelWriting();
        return CliError::fromStore(result.error()).report();
    }
    progress.update(TransferProgress {result->events, result->reached, result->end}, true);
    if (toFile) {
        if (!file.commit())
            return CliError(ExitFailure,
                            QStringLiteral("cannot write %1: %2").arg(path, file.errorString()))
                .report();
        m_out.writeLine(JsonLine()
                            .add("events", result->events)
                            .add("bytes", result->bytes)
                            .add("file", path)
                            .add("to", result->end)
                            .toJson());
    } else if (!out.flush()) {
        return CliError(ExitFailure,
                        QStringLiteral("cannot write stdout: %1").arg(out.errorString()))
            .report();
    }
    return ExitSuccess;
}

int Cli::importCommand(const OptionParser &options)
{
    const QString command = QStringLiteral("import");
    if (options.positionals().size() != 1)
        return usage(command,
                     options.positionals().isEmpty()
                         ? QStringLiteral("import needs a file, or - for stdin")
                         : QStringLiteral("import takes one file, or - for stdin"));
    const QString input = options.positionals().first();
    ImportOptions importOptions;
    const auto ids = idsOption(options);
    if (!ids)
        return usage(command,
                     QStringLiteral("--ids is keep or new, not \"%1\"")
                         .arg(options.value(QStringLiteral("ids"))));
    importOptions.ids = *ids;
    const auto expected = expectedOption(options);
    if (!expected || expected->isStreamExists())
        return usage(command,
                     QStringLiteral("--expected is any, no-stream or a version >= 0, not \"%1\"")
                         .arg(options.value(QStringLiteral("expected"))));
    importOptions.expected = *expected;
    if (options.isSet(QStringLiteral("stream"))) {
        importOptions.stream = options.value(QStringLiteral("stream"));
        if (QString why = StreamName::validate(importOptions.stream); !why.isEmpty())
            return CliError::badInput(QStringLiteral("--stream: %1").arg(why)).report();
    }
    QFile in;
    const bool fromStdin = input == QLatin1String("-");
    if (fromStdin) {
        if (!in.open(stdin, QIODevice::ReadOnly))
            return CliError(ExitFailure,
                            QStringLiteral("cannot read stdin: %1").arg(in.errorString()))
                .report();
    } else {
        in.setFileName(input);
        if (!in.open(QIODevice::ReadOnly))
            return CliError(ExitFailure,
                            QStringLiteral("cannot read %1: %2").arg(input, in.errorString()))
                .report();
    }

    if (options.isSet(QStringLiteral("check"))) {
        // The store's default limits: no database is opened.
        const ImportResult checked = eventium::checkImport(in, importOptions);
        if (!checked.ok()) {
            const QString where = fromStdin ? QStringLiteral("stdin") : input;
            return CliError::badInput(QStringLiteral("%1: %2").arg(where, checked.message))
                .report();
        }
        m_out.writeLine(JsonLine()
                            .add("status", QStringLiteral("valid"))
                            .add("lines", checked.lines)
                            .add("events", checked.events)
                            .toJson());
        m_out.flush();
        return ExitSuccess;
    }
    if (auto error = openStore(true))
        return error->report();
    // Number each batch as it goes in, so a big import leaves no long queue behind.
    importOptions.progress = [this](const TransferProgress &) { (void)m_store->sequenceStep(); };
    const ImportResult result = eventium::importEvents(*m_store, in, importOptions);
    if (result.status == ImportResult::Status::InvalidInput) {
        // Nothing was appended: only the error.
        const QString where = fromStdin ? QStringLiteral("stdin") : input;
        return CliError::badInput(QStringLiteral("%1: %2").arg(where, result.message)).report();
    }
    if (result.appended > 0)
        sequenceBeforeExit(std::chrono::seconds(10));

    QByteArray streams = "[";
    for (const ImportStreamResult &s : result.streams) {
        if (streams.size() > 1)
            streams += ',';
        streams += JsonLine()
                       .add("stream", s.stream)
                       .add("appended", s.appended)
                       .add("alreadyAppended", s.alreadyThere)
                       .add("firstVersion", s.firstVersion.value)
                       .add("lastVersion", s.lastVersion.value)
                       .toJson();
    }
    streams += ']';
    const QString status = result.ok()                  ? QStringLiteral("imported")
        : result.status == ImportResult::Status::Failed ? QStringLiteral("failed")
                                                        : QStringLiteral("wrong-expected-version");
    m_out.writeLine(JsonLine()
                        .add("status", status)
                        .add("lines", result.lines)
                        .add("events", result.events)
                        .add("appended", result.appended)
                        .add("alreadyAppended", result.alreadyThere)
                        .addRaw("streams", streams)
                        .toJson());
    m_out.flush();
    if (result.ok())
        return ExitSuccess;
    if (result.status == ImportResult::Status::WrongExpectedVersion) {
        const CliError conflict
            = wrongVersion(result.conflictStream, result.conflictExpected, result.actualVersion);
        return CliError(conflict.code(),
                        QStringLiteral("line %1: %2").arg(result.line).arg(conflict.message()))
            .report();
    }
    return appendError(result.error, importOptions.ids == IdMode::Keep, command).report();
}

int Cli::streamInfo(const OptionParser &options)
{
    const QString command = QStringLiteral("stream-info");
    if (options.positionals().size() != 1)
        return usage(command, QStringLiteral("stream-info takes one stream name"));
    const QString stream = options.positionals().first();
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    if (auto error = openStore(true))
        return error->report();
    auto info = m_store->streamInfo(StreamName(stream));
    if (!info)
        return CliError::fromStore(info.error()).report();
    JsonLine line;
    line.add("name", stream);
    if (!info->has_value()) {
        line.addRaw("exists", "false");
    } else {
        const StreamInfo &s = **info;
        line.addRaw("exists", "true")
            .add("version", s.version.value)
            .add("created", EventLine::timestamp(s.created))
            .add("updated", EventLine::timestamp(s.updated));
        if (s.firstVisible.value > 1)
            line.add("first_visible", s.firstVisible.value);
        if (s.metadata.maxCount)
            line.add("max_count", *s.metadata.maxCount);
        if (s.metadata.maxAge)
            line.add("max_age_seconds", qint64(s.metadata.maxAge->count()));
        if (s.tombstoned)
            line.add("deleted", QStringLiteral("hard"));
        else if (s.deleted.isValid())
            line.add("deleted", QStringLiteral("soft"));
    }
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::diff(const OptionParser &options)
{
    const QString command = QStringLiteral("diff");
    const QStringList ids = options.positionals();
    if (ids.isEmpty() || ids.size() > 2)
        return usage(command, QStringLiteral("diff takes one or two event ids"));
    QList<QUuid> uuids;
    for (const QString &text : ids) {
        const QUuid id = QUuid::fromString(text);
        if (id.isNull())
            return CliError::badInput(QStringLiteral("not an event id (a UUID): %1").arg(text))
                .report();
        uuids << id;
    }
    if (auto error = openStore(true))
        return error->report();
    QList<RecordedEvent> events;
    for (const QUuid &id : uuids) {
        auto event = m_store->readEvent(id);
        if (!event)
            return CliError::fromStore(event.error()).report();
        if (!event->has_value())
            return CliError::badInput(QStringLiteral("no event has the id %1")
                                          .arg(id.toString(QUuid::WithoutBraces)))
                .report();
        events << **event;
    }
    if (events.size() == 1) {
        auto previous = toolkit::previousOfType(*m_store, events.first());
        if (!previous)
            return CliError::fromStore(previous.error()).report();
        if (!previous->has_value())
            return CliError::badInput(
                       QStringLiteral("%1 #%2 is the first \"%3\" event of its stream: nothing to "
                                      "compare it with")
                           .arg(events.first().stream)
                           .arg(events.first().version.value)
                           .arg(events.first().type))
                .report();
        events.prepend(**previous);
    }
    for (const auto &[part, before, after] :
         {std::tuple {"payload", events[0].data, events[1].data},
          std::tuple {"metadata", events[0].metadata, events[1].metadata}}) {
        auto changes = toolkit::jsonDiff(before, after);
        if (!changes)
            return CliError::fromStore(changes.error()).report();
        for (const toolkit::JsonChange &c : *changes) {
            JsonLine line;
            line.add("part", QString::fromLatin1(part))
                .add("path", c.path)
                .add("change", toolkit::kindName(c.kind));
            if (!c.before.isUndefined())
                line.addRaw("before", toolkit::compactJson(c.before));
            if (!c.after.isUndefined())
                line.addRaw("after", toolkit::compactJson(c.after));
            m_out.writeLine(line.toJson());
        }
    }
    return ExitSuccess;
}

int Cli::related(const OptionParser &options)
{
    const QString command = QStringLiteral("related");
    const bool byCorrelation = options.isSet(QStringLiteral("correlation"));
    const QString correlation = options.value(QStringLiteral("correlation"));
    if (byCorrelation ? !options.positionals().isEmpty() || options.isSet(QStringLiteral("tree"))
                      : options.positionals().size() != 1)
        return usage(command, QStringLiteral("related takes one event id, or --correlation ID"));
    if (byCorrelation && correlation.isEmpty())
        return usage(command, QStringLiteral("--correlation needs an id"));
    const auto limit = numberOption(options, QStringLiteral("limit"), 1, 1000);
    if (!limit || *limit > 100000)
        return usage(command, QStringLiteral("--limit is a number from 1 to 100000"));
    QUuid id;
    if (!byCorrelation) {
        id = QUuid::fromString(options.positionals().first());
        if (id.isNull())
            return CliError::badInput(QStringLiteral("not an event id (a UUID): %1")
                                          .arg(options.positionals().first()))
                .report();
    }
    if (auto error = openStore(true))
        return error->report();

    // An event line with the relation's members first (read's readers ignore them).
    auto write = [this](const RecordedEvent &event, JsonLine prefix) {
        QByteArray line = prefix.toJson();
        line.chop(1);
        m_out.writeLine(line + ',' + EventLine::format(event).mid(1));
    };
    auto cut = [&limit](const QString &what) {
        CliError::printLine(QStringLiteral("more than %1 %2: showing the first %1 (--limit)")
                                .arg(*limit)
                                .arg(what));
    };
    QList<RecordedEvent> correlated;
    bool moreCorrelated = false;
    std::optional<RelatedEvents> related;
    if (byCorrelation) {
        auto events = m_store->readCorrelated(correlation, int(*limit));
        if (!events)
            return CliError::fromStore(events.error()).report();
        correlated = events->events;
        moreCorrelated = events->more;
    } else {
        auto r = m_store->related(id, int(*limit));
        if (!r)
            return CliError::fromStore(r.error()).report();
        if (!r->has_value())
            return CliError::badInput(QStringLiteral("no event has the id %1")
                                          .arg(id.toString(QUuid::WithoutBraces)))
                .report();
        related = std::move(**r);
        if (!options.isSet(QStringLiteral("tree"))) {
            correlated = related->correlated;
            moreCorrelated = related->moreCorrelated;
        }
    }
    for (const RecordedEvent &e : std::as_const(correlated))
        write(e, JsonLine().add("relation", QStringLiteral("correlation")));
    if (moreCorrelated)
        cut(QStringLiteral("events have the correlation id"));
    if (related) {
        for (const CausationNode &node : std::as_const(related->causation)) {
            JsonLine prefix;
            prefix.add("relation", QStringLiteral("causation")).add("depth", qint64(node.depth));
            if (!node.parent.isNull())
                prefix.add("caused_by", node.parent.toString(QUuid::WithoutBraces));
            write(node.event, prefix);
        }
        if (related->moreCausation)
            cut(QStringLiteral("events are in the causation tree"));
    }
    return ExitSuccess;
}

int Cli::state(const OptionParser &options)
{
    const QString command = QStringLiteral("state");
    if (options.positionals().size() != 1)
        return usage(command,
                     options.positionals().isEmpty()
                         ? QStringLiteral("state needs a stream name")
                         : QStringLiteral("state takes one stream name"));
    const QString stream = options.positionals().first();
    const auto versionOption
        = numberOption(options, QStringLiteral("version"), 1, StreamVersion::end().value);
    if (!versionOption)
        return usage(command, QStringLiteral("--version is a number >= 1"));
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    bank::registerProjections(toolkit::ProjectionRegistry::global());
    const auto projection = toolkit::ProjectionRegistry::global().forStream(stream);
    if (!projection) {
        const QString category = toolkit::streamCategory(stream);
        return CliError(ExitNoProjection,
                        category.isEmpty()
                            ? QStringLiteral("\"%1\" has no category (no '-' in its name), so no "
                                             "projection")
                                  .arg(stream)
                            : QStringLiteral("no projection registered for category \"%1\" "
                                             "(registered: %2)")
                                  .arg(category,
                                       toolkit::ProjectionRegistry::global().categories().join(
                                           QStringLiteral(", "))))
            .report();
    }
    if (auto error = openStore(true))
        return error->report();
    const StreamVersion version(*versionOption);
    auto at = toolkit::stateAt(*m_store, *projection, StreamName(stream), version);
    if (!at)
        return CliError::fromStore(at.error()).report();
    if (at->version.value == 0)
        return CliError::badInput(QStringLiteral("\"%1\" has no events").arg(stream)).report();
    if (!version.isEnd() && at->version < version)
        return CliError::badInput(QStringLiteral("\"%1\" ends at version %2, before --version %3")
                                      .arg(stream)
                                      .arg(at->version.value)
                                      .arg(version.value))
            .report();
    JsonLine line;
    line.add("stream", stream)
        .add("category", projection->category)
        .add("projection", projection->name)
        .add("version", at->version.value)
        .addRaw("state", toolkit::compactJson(at->state));
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::erase(const OptionParser &options)
{
    const QString command = QStringLiteral("erase");
    if (options.positionals().size() != 1)
        return usage(command, QStringLiteral("erase takes one event id"));
    const QUuid id = QUuid::fromString(options.positionals().first());
    if (id.isNull())
        return CliError::badInput(QStringLiteral("not an event id (a UUID): %1")
                                      .arg(options.positionals().first()))
            .report();
    if (auto error = openStore(true))
        return error->report();
    auto result = m_store->erase(id, options.value(QStringLiteral("by")),
                                 options.value(QStringLiteral("reason")));
    if (!result)
        return CliError::fromStore(result.error()).report();
    if (result->status == EraseResult::Status::NotFound)
        return CliError::badInput(
                   QStringLiteral("no event has the id %1").arg(id.toString(QUuid::WithoutBraces)))
            .report();
    JsonLine line;
    line.add("id", id.toString(QUuid::WithoutBraces))
        .add("status",
             result->status == EraseResult::Status::Erased ? QStringLiteral("erased")
                                                           : QStringLiteral("already erased"))
        .add("erased", EventLine::timestamp(result->erased));
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

namespace {

QByteArray jsonBool(bool value)
{
    return value ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
}

// Asks a yes/no question on the terminal (stderr, an answer line from stdin); false unless
// the answer is y or yes.
bool confirmOnTerminal(const QString &question)
{
    std::fprintf(stderr, "%s [y/N] ", question.toLocal8Bit().constData());
    std::fflush(stderr);
    char answer[64] = {};
    if (!std::fgets(answer, sizeof answer, stdin))
        return false;
    const QString a = QString::fromLocal8Bit(answer).trimmed().toLower();
    return a == QLatin1String("y") || a == QLatin1String("yes");
}

} // namespace

int Cli::subscriptions(const OptionParser &options)
{
    const QString command = QStringLiteral("subscriptions");
    const QStringList &args = options.positionals();
    const bool isMove = !args.isEmpty() && args.first() == QLatin1String("move");
    if (!isMove) {
        if (!args.isEmpty())
            return usage(command,
                         QStringLiteral("unexpected argument \"%1\" (subscriptions "
                                        "lists, subscriptions move NAME moves)")
                             .arg(args.first()));
        for (const char *option : {"to", "head", "yes"}) {
            if (options.isSet(QString::fromLatin1(option)))
                return usage(command,
                             QStringLiteral("--%1 goes with subscriptions move")
                                 .arg(QString::fromLatin1(option)));
        }
        if (auto error = openStore(true))
            return error->report();
        auto listed = toolkit::Subscription::list(*m_store);
        if (!listed)
            return CliError::fromStore(listed.error()).report();
        for (const toolkit::SubscriptionStatus &st : listed.value()) {
            JsonLine line;
            line.add("name", st.name)
                .add("position", st.checkpoint.value)
                .add("head", st.head.value)
                .add("lag_events", st.lagEvents)
                .add("lag_seconds", double(st.lagTime.count()) / 1000.0)
                .addRaw("held", jsonBool(st.held))
                .add("owner", st.owner)
                .add("handled", st.handled)
                .add("updated", EventLine::timestamp(st.updated));
            m_out.writeLine(line.toJson());
        }
        return ExitSuccess;
    }

    if (args.size() != 2)
        return usage(command, QStringLiteral("subscriptions move takes one subscription name"));
    const QString name = args.at(1);
    const bool toHead = options.isSet(QStringLiteral("head"));
    if (toHead == options.isSet(QStringLiteral("to")))
        return usage(command,
                     QStringLiteral("subscriptions move needs --to POSITION or --head "
                                    "(one of them)"));
    GlobalPosition to = GlobalPosition::end();
    if (!toHead) {
        const auto position = parseNumber(options.value(QStringLiteral("to")), 0);
        if (!position)
            return usage(command,
                         QStringLiteral("--to is a position >= 0, not \"%1\"")
                             .arg(options.value(QStringLiteral("to"))));
        to = GlobalPosition(*position);
    }
    const bool terminal = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
    const bool yes = options.isSet(QStringLiteral("yes"));
    if (!yes && !terminal)
        return usage(command,
                     QStringLiteral("moving a checkpoint changes what \"%1\" handles "
                                    "next: confirm with --yes")
                         .arg(name));
    if (auto error = openStore(true))
        return error->report();

    auto notFound = [&] {
        return CliError::badInput(QStringLiteral("no subscription is named \"%1\"").arg(name))
            .report();
    };
    auto held = [&] {
        return CliError(ExitConflict,
                        QStringLiteral("subscription \"%1\" is held by a running runner: stop "
                                       "it, then move its checkpoint")
                            .arg(name))
            .report();
    };
    if (!yes) {
        // On a terminal: say what changes, from where to where, before asking.
        auto listed = toolkit::Subscription::list(*m_store);
        if (!listed)
            return CliError::fromStore(listed.error()).report();
        const auto it = std::find_if(listed->cbegin(), listed->cend(),
                                     [&](const auto &st) { return st.name == name; });
        if (it == listed->cend())
            return notFound();
        if (it->held)
            return held();
        const qint64 target = toHead ? it->head.value : to.value;
        const QString what = target < it->checkpoint.value
            ? QStringLiteral("it handles positions %1 to %2 again")
                  .arg(target + 1)
                  .arg(it->checkpoint.value)
            : QStringLiteral("it skips %1 events").arg(target - it->checkpoint.value);
        if (!confirmOnTerminal(QStringLiteral("Move the checkpoint of \"%1\" from %2 to %3 (%4)?")
                                   .arg(name)
                                   .arg(it->checkpoint.value)
                                   .arg(target)
                                   .arg(what))) {
            CliError::printLine(QStringLiteral("not moved"));
            return ExitFailure;
        }
    }
    auto moved = toolkit::Subscription::moveCheckpoint(*m_store, name, to);
    if (!moved)
        return CliError::fromStore(moved.error()).report();
    switch (moved->status) {
    case toolkit::CheckpointMove::Status::NotFound:
        return notFound();
    case toolkit::CheckpointMove::Status::Held:
        return held();
    case toolkit::CheckpointMove::Status::BeyondHead:
        return CliError::badInput(QStringLiteral("position %1 is past the head (%2)")
                                      .arg(moved->to.value)
                                      .arg(moved->head.value))
            .report();
    case toolkit::CheckpointMove::Status::Moved:
        break;
    }
    JsonLine line;
    line.add("name", name)
        .add("from", moved->from.value)
        .add("to", moved->to.value)
        .add("status", QStringLiteral("moved"));
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::roles(const OptionParser &options)
{
    return rolesCommand(options, m_db, m_schema, m_pooler, m_verbose);
}

int Cli::deleteStream(const OptionParser &options)
{
    const QString command = QStringLiteral("delete");
    if (options.positionals().size() != 1)
        return usage(command, QStringLiteral("delete takes one stream name"));
    const QString stream = options.positionals().first();
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    const auto expectedOrNot = expectedOption(options);
    if (!expectedOrNot)
        return usage(
            command,
            QStringLiteral("--expected is any, no-stream, exists or a version >= 0, not \"%1\"")
                .arg(options.value(QStringLiteral("expected"))));
    const ExpectedVersion expected = *expectedOrNot;
    if (auto error = openStore(true))
        return error->report();
    const bool hard = options.isSet(QStringLiteral("hard"));
    auto result = m_store->deleteStream(StreamName(stream), expected,
                                        hard ? DeleteMode::Hard : DeleteMode::Soft);
    if (!result)
        return CliError::fromStore(result.error()).report();
    if (result->status == DeleteResult::Status::WrongExpectedVersion)
        return wrongVersion(stream, expected, result->version.value).report();
    const QString status = result->status == DeleteResult::Status::Deleted
        ? QStringLiteral("deleted")
        : result->status == DeleteResult::Status::AlreadyDeleted ? QStringLiteral("already deleted")
                                                                 : QStringLiteral("not found");
    JsonLine line;
    line.add("stream", stream)
        .add("status", status)
        .add("mode", hard ? QStringLiteral("hard") : QStringLiteral("soft"))
        .add("version", result->version.value);
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::truncate(const OptionParser &options)
{
    const QString command = QStringLiteral("truncate");
    if (options.positionals().size() != 1)
        return usage(command, QStringLiteral("truncate takes one stream name"));
    const QString stream = options.positionals().first();
    if (!options.isSet(QStringLiteral("before")))
        return usage(command, QStringLiteral("truncate needs --before N"));
    const auto before = numberOption(options, QStringLiteral("before"), 1, 1);
    if (!before)
        return usage(command, QStringLiteral("--before is a version of 1 or more"));
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    if (auto error = openStore(true))
        return error->report();
    auto result = m_store->truncate(StreamName(stream), StreamVersion(*before));
    if (!result)
        return CliError::fromStore(result.error()).report();
    if (!result->has_value())
        return CliError::badInput(QStringLiteral("no stream \"%1\" (or it is deleted)").arg(stream))
            .report();
    JsonLine line;
    line.add("stream", stream).add("first_visible", (*result)->value);
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

namespace {

// "90s", "15m", "12h", "30d" or plain seconds; nullopt when unreadable or under a second.
std::optional<std::chrono::seconds> parseDuration(const QString &text)
{
    static const QRegularExpression form(QStringLiteral("^(\\d{1,12})([smhd]?)$"));
    const auto m = form.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const qint64 n = m.captured(1).toLongLong();
    const QString unit = m.captured(2);
    const qint64 factor = unit == QLatin1String("m") ? 60
        : unit == QLatin1String("h")                 ? 3600
        : unit == QLatin1String("d")                 ? 86400
                                                     : 1;
    if (n < 1)
        return std::nullopt;
    return std::chrono::seconds(n * factor);
}

} // namespace

int Cli::metadata(const OptionParser &options)
{
    const QString command = QStringLiteral("metadata");
    if (options.positionals().size() != 1)
        return usage(command, QStringLiteral("metadata takes one stream name"));
    const QString stream = options.positionals().first();
    if (QString why = StreamName::validate(stream); !why.isEmpty())
        return CliError::badInput(why).report();
    const bool setCount = options.isSet(QStringLiteral("max-count"));
    const bool setAge = options.isSet(QStringLiteral("max-age"));
    std::optional<qint64> maxCount;
    std::optional<std::chrono::seconds> maxAge;
    if (setCount && options.value(QStringLiteral("max-count")) != QLatin1String("none")) {
        maxCount = numberOption(options, QStringLiteral("max-count"), 1, 1);
        if (!maxCount)
            return usage(command, QStringLiteral("--max-count is a number of 1 or more, or none"));
    }
    if (setAge && options.value(QStringLiteral("max-age")) != QLatin1String("none")) {
        maxAge = parseDuration(options.value(QStringLiteral("max-age")));
        if (!maxAge)
            return usage(command,
                         QStringLiteral("--max-age is a duration like 90s, 15m, 12h, 30d "
                                        "(or seconds), or none"));
    }
    if (auto error = openStore(true))
        return error->report();
    auto info = m_store->streamInfo(StreamName(stream));
    if (!info)
        return CliError::fromStore(info.error()).report();
    if (!info->has_value())
        return CliError::badInput(QStringLiteral("no stream \"%1\"").arg(stream)).report();
    StreamMetadata metadata = (*info)->metadata;
    if (setCount || setAge) {
        if (setCount)
            metadata.maxCount = maxCount;
        if (setAge)
            metadata.maxAge = maxAge;
        auto set = m_store->setStreamMetadata(StreamName(stream), metadata);
        if (!set)
            return CliError::fromStore(set.error()).report();
        if (!*set)
            return CliError::badInput(QStringLiteral("no stream \"%1\"").arg(stream)).report();
        info = m_store->streamInfo(StreamName(stream));
        if (!info)
            return CliError::fromStore(info.error()).report();
        if (!info->has_value())
            return CliError::badInput(QStringLiteral("no stream \"%1\"").arg(stream)).report();
    }
    const StreamInfo &s = **info;
    JsonLine line;
    line.add("stream", stream);
    if (s.metadata.maxCount)
        line.add("max_count", *s.metadata.maxCount);
    else
        line.addNull("max_count");
    if (s.metadata.maxAge)
        line.add("max_age_seconds", qint64(s.metadata.maxAge->count()));
    else
        line.addNull("max_age_seconds");
    line.add("first_visible", s.firstVisible.value)
        .add("version", s.version.value)
        .add("deleted",
             s.tombstoned              ? QStringLiteral("hard")
                 : s.deleted.isValid() ? QStringLiteral("soft")
                                       : QStringLiteral("no"));
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::scavenge(const OptionParser &options)
{
    const QString command = QStringLiteral("scavenge");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    const auto batch = numberOption(options, QStringLiteral("batch"), 1, 10000);
    if (!batch || *batch > 100000)
        return usage(command, QStringLiteral("--batch is a number from 1 to 100000"));
    if (auto error = openStore(true))
        return error->report();
    QElapsedTimer timer;
    timer.start();
    auto result = m_store->scavenge(int(*batch));
    if (!result)
        return CliError::fromStore(result.error()).report();
    JsonLine line;
    line.add("streams", result->streams)
        .add("removed", result->removed)
        .add("seconds", double(timer.elapsed()) / 1000.0);
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::types(const OptionParser &options)
{
    const QString command = QStringLiteral("types");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    const auto limit = numberOption(options, QStringLiteral("limit"), 1, 1000);
    if (!limit || *limit > 100000)
        return usage(command, QStringLiteral("--limit is a number from 1 to 100000"));
    if (auto error = openStore(true))
        return error->report();
    auto types = m_store->eventTypes(int(*limit));
    if (!types)
        return CliError::fromStore(types.error()).report();
    for (const QString &type : types.value())
        m_out.writeLine(JsonLine::quote(type));
    return ExitSuccess;
}

int Cli::activity(const OptionParser &options)
{
    const QString command = QStringLiteral("activity");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    ActivityQuery query;
    query.stream = options.value(QStringLiteral("stream"));
    if (options.isSet(QStringLiteral("stream")) && query.stream.isEmpty())
        return usage(command, QStringLiteral("--stream needs a stream name"));
    for (const char *name : {"from", "to"}) {
        const QString option = QString::fromLatin1(name);
        if (!options.isSet(option))
            continue;
        const auto time = parseTime(options.value(option));
        if (!time)
            return usage(command, timeUsage(option));
        (option == QLatin1String("from") ? query.from : query.to) = *time;
    }
    if (query.from.isValid() && query.to.isValid() && query.to <= query.from)
        return usage(command, QStringLiteral("--to must be after --from"));
    if (options.isSet(QStringLiteral("per"))) {
        static const QList<std::pair<QString, qint64>> units {{QStringLiteral("second"), 1},
                                                              {QStringLiteral("minute"), 60},
                                                              {QStringLiteral("hour"), 3600},
                                                              {QStringLiteral("day"), 86400}};
        const QString per = options.value(QStringLiteral("per"));
        for (const auto &[unit, seconds] : units) {
            if (per == unit)
                query.bucketSeconds = seconds;
        }
        if (query.bucketSeconds == 0)
            return usage(command, QStringLiteral("--per is second, minute, hour or day"));
    }
    const auto top = numberOption(options, QStringLiteral("top"), 1, 5);
    if (!top || *top > 50)
        return usage(command, QStringLiteral("--top is a number from 1 to 50"));
    query.topTypes = int(*top);
    if (auto error = openStore(true))
        return error->report();
    auto activity = m_store->activity(query);
    if (!activity)
        return CliError::fromStore(activity.error()).report();
    const Activity &a = activity.value();
    for (const ActivityBucket &b : a.buckets) {
        JsonLine types;
        for (qsizetype i = 0; i < a.types.size(); ++i) {
            if (b.counts.value(i) > 0)
                types.add(a.types.at(i).toUtf8().constData(), b.counts.value(i));
        }
        JsonLine line;
        line.add("start", b.start.toString(Qt::ISODateWithMs))
            .add("seconds", a.bucketSeconds)
            .add("total", b.total)
            .addRaw("types", types.toJson())
            .add("other", b.other)
            .addRaw("estimated", b.estimated ? QByteArray("true") : QByteArray("false"))
            .add(a.stream.isEmpty() ? "position" : "version", b.first);
        m_out.writeLine(line.toJson());
    }
    return ExitSuccess;
}

int Cli::stats(const OptionParser &options)
{
    if (!options.positionals().isEmpty())
        return usage(QStringLiteral("stats"), QStringLiteral("stats takes no arguments"));
    if (auto error = openStore(true))
        return error->report();
    auto stats = m_store->stats();
    if (!stats)
        return CliError::fromStore(stats.error()).report();
    const StoreStats &s = stats.value();
    JsonLine line;
    line.add("events", s.events)
        .add("scavenged", s.scavenged)
        .add("streams", s.streams)
        .add("deletedStreams", s.deletedStreams)
        .add("headPosition", s.headPosition)
        .add("pending", s.pending)
        .add("totalBytes", s.totalBytes)
        .add("eventsBytes", s.eventsBytes)
        .add("lagSeconds", s.lagSeconds);
    if (s.oldestRunningXid.isEmpty())
        line.addNull("oldestRunningXid");
    else
        line.add("oldestRunningXid", s.oldestRunningXid);
    // What these numbers were read from.
    auto replication = m_store->replication();
    if (!replication)
        return CliError::fromStore(replication.error()).report();
    addRole(line, replication.value());
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::status(const OptionParser &options)
{
    if (!options.positionals().isEmpty())
        return usage(QStringLiteral("status"), QStringLiteral("status takes no arguments"));
    if (auto error = openStore(false))
        return error->report();
    // Each connection once: the write one, then the read one (or one line for both). A
    // connection that fails gets a line with its error, and the exit code says so.
    struct Side
    {
        const char *name;
        StoreConnection on;
        ConnectionOptions options;
    };
    QList<Side> sides;
    if (m_readOptions) {
        sides.append(Side {"write", StoreConnection::Write, m_options});
        sides.append(Side {"read", StoreConnection::Read, *m_readOptions});
    } else {
        sides.append(Side {"read+write", StoreConnection::Write, m_options});
    }
    int code = ExitSuccess;
    for (const Side &side : std::as_const(sides)) {
        JsonLine line;
        line.add("connection", QString::fromLatin1(side.name))
            .add("server", side.options.toDisplayString());
        auto info = Store::testConnection(side.options);
        auto version = info ? m_store->schemaVersion(side.on) : Result<int>(info.error());
        if (!info || !version) {
            const StoreError error = !info ? info.error() : version.error();
            line.add("error", error.toString());
            m_out.writeLine(line.toJson());
            code = CliError::fromStore(error).code();
            continue;
        }
        line.add("serverVersion", info->serverVersion)
            .add("user", info->user)
            .add("database", info->database)
            .add("schema", m_schema)
            .add("schemaVersion", qint64(version.value()));
        addRole(line, info->replication);
        m_out.writeLine(line.toJson());
        note(QStringLiteral("%1: %2").arg(QString::fromLatin1(side.name),
                                          roleText(info->replication)));
    }
    return code;
}

int Cli::sample(const OptionParser &options)
{
    const QString command = QStringLiteral("sample");
    if (auto why = unexpectedArgument(options))
        return usage(command, *why);
    const auto events = numberOption(options, QStringLiteral("events"), 10, 3000);
    if (!events || *events > std::numeric_limits<int>::max())
        return usage(command, QStringLiteral("--events is a number >= 10"));
    const auto seed = numberOption(options, QStringLiteral("seed"), 0, 42);
    if (!seed || *seed > std::numeric_limits<quint32>::max())
        return usage(command,
                     QStringLiteral("--seed is a number from 0 to %1")
                         .arg(std::numeric_limits<quint32>::max()));
    if (auto error = openStore(true))
        return error->report();
    if (!options.isSet(QStringLiteral("force"))) {
        auto stats = m_store->stats();
        if (!stats)
            return CliError::fromStore(stats.error()).report();
        if (stats->events > 0 || stats->streams > 0)
            return CliError::badInput(
                       QStringLiteral(
                           "schema \"%1\" already has %2 events; sample fills an empty store "
                           "(use --force to add to it, or another --schema)")
                           .arg(m_schema)
                           .arg(stats->events))
                .report();
    }
    note(QStringLiteral("writing %1 sample events (seed %2)").arg(*events).arg(*seed));
    auto written = toolkit::generateSampleData(*m_store, int(*events), quint32(*seed));
    if (!written)
        return CliError::fromStore(written.error()).report();
    sequenceBeforeExit(std::chrono::seconds(10));
    auto head = m_store->headPosition();
    JsonLine line;
    line.add("events", written.value()).add("seed", *seed);
    if (head)
        line.add("headPosition", head->value);
    m_out.writeLine(line.toJson());
    return ExitSuccess;
}

int Cli::embedded(const OptionParser &options)
{
    const QString command = QStringLiteral("embedded");
    const QStringList &args = options.positionals();
    if (args.size() != 1)
        return usage(command, QStringLiteral("embedded needs one of start, stop, status"));
    const QString action = args.first();
    EmbeddedPostgres server {EmbeddedPostgres::Settings {}};
    if (action == QLatin1String("start")) {
        note(QStringLiteral("data directory %1").arg(server.settings().dataDir));
        auto started = server.start();
        if (!started)
            return CliError(ExitNoConnection, started.error().toString()).report();
        printOut(server.status() + QLatin1Char('\n'));
        return ExitSuccess;
    }
    if (action == QLatin1String("stop")) {
        auto stopped = server.stop();
        if (!stopped)
            return CliError::fromStore(stopped.error()).report();
        printOut(server.status() + QLatin1Char('\n'));
        return ExitSuccess;
    }
    if (action == QLatin1String("status")) {
        printOut(server.status() + QLatin1Char('\n'));
        return ExitSuccess;
    }
    return usage(command,
                 QStringLiteral("unknown action \"%1\" (start, stop or status)").arg(action));
}

} // namespace eventium::cli
