#include "helptext.h"

namespace eventium::cli {

namespace {

const char kGlobalOptions[]
    = "Global options (before or after the command):\n"
      "  --db CONNINFO|URL  where to connect, e.g. \"host=db dbname=app\" or\n"
      "                     postgres://user@db/app (default: $DATABASE_URL, else the\n"
      "                     embedded server, see `eventium embedded --help`)\n"
      "  --schema NAME      the schema holding the store (default: $EVENTIUM_SCHEMA or\n"
      "                     \"eventium\")\n"
      "  --verbose          say more on stderr\n"
      "  -h, --help         show help\n";

const char kOverview[]
    = "Usage: eventium [--db CONNINFO|URL] [--schema NAME] COMMAND ...\n"
      "\n"
      "An event store on PostgreSQL. Output is JSON lines on stdout; errors go to stderr.\n"
      "\n"
      "Commands:\n"
      "  migrate     create or upgrade the schema\n"
      "  append      append events to a stream\n"
      "  read        read a stream's events\n"
      "  streams     list streams\n"
      "  tail        read (or follow) the global sequence\n"
      "  stats       counts, sizes and sequencer lag as one JSON object\n"
      "  sample      fill an empty store with sample data\n"
      "  embedded    start, stop or show the embedded PostgreSQL server\n"
      "\n"
      "Run `eventium COMMAND --help` for a command's options. Commands other than migrate and\n"
      "embedded create the schema when it does not exist yet.\n"
      "\n"
      "  --version          print the version\n";

const char kExitCodes[]
    = "\nExit codes: 0 success, 1 other error, 2 usage, 3 wrong expected version,\n"
      "4 bad input, 5 cannot connect.\n";

const char kMigrate[]
    = "Usage: eventium migrate\n"
      "\n"
      "Creates the schema, or upgrades it to the newest version this program knows.\n"
      "Idempotent; safe when several processes run it at once. Prints\n"
      "{\"schema\":…,\"version\":…}.\n";

const char kAppend[]
    = "Usage: eventium append STREAM [--expected any|no-stream|exists|N]\n"
      "                      (--type T --data JSON [--metadata JSON] [--id UUID] | -)\n"
      "\n"
      "Appends one event given by options, or with `-` a batch read from stdin as JSON lines,\n"
      "one event a line: {\"type\":…,\"data\":…,\"metadata\":…,\"id\":…} (metadata and id\n"
      "optional). A batch is atomic: all its events are written, or none. data and metadata\n"
      "are stored exactly as given (big numbers keep their digits).\n"
      "\n"
      "Options:\n"
      "  --expected V   what the stream must be at: any (default), no-stream, exists, or a\n"
      "                 version N (the stream's event count); otherwise exit 3\n"
      "  --type T       the event type\n"
      "  --data JSON    the payload\n"
      "  --metadata J   metadata\n"
      "  --id UUID      the event id; re-sending the same id makes a retry idempotent\n"
      "\n"
      "Prints {\"stream\":…,\"firstVersion\":…,\"lastVersion\":…,\"ids\":[…],\n"
      "\"status\":\"appended\"|\"already-appended\"}.\n";

const char kRead[]
    = "Usage: eventium read STREAM [--from VERSION] [--limit N] [--backward]\n"
      "\n"
      "Prints a stream's events as JSON lines: position, stream, version, id, type, data,\n"
      "metadata, created (ISO 8601, UTC). A stream that does not exist prints nothing.\n"
      "\n"
      "Options:\n"
      "  --from VERSION  the first version to print (default: 1, or the last with --backward)\n"
      "  --limit N       print at most N events (default: all)\n"
      "  --backward      newest first\n";

const char kStreams[] = "Usage: eventium streams [--prefix P] [--limit N] [--order name|recent]\n"
                        "\n"
                        "Lists streams as JSON lines: name, version, created, updated.\n"
                        "\n"
                        "Options:\n"
                        "  --prefix P      only streams whose name starts with P\n"
                        "  --limit N       at most N streams (default: all)\n"
                        "  --order O       name (default) or recent (last written first)\n";

const char kTail[]
    = "Usage: eventium tail [--from POSITION] [--limit N] [--type T]... [--prefix P] [--follow]\n"
      "\n"
      "Prints the global sequence (all streams, in position order) as JSON lines.\n"
      "\n"
      "Options:\n"
      "  --from POSITION  the first position (default: 1)\n"
      "  --limit N        stop after N events (default: all)\n"
      "  --type T         only events of type T (repeatable)\n"
      "  --prefix P       only events of streams whose name starts with P\n"
      "  --follow         keep running and print new events as they are written;\n"
      "                   stop with Ctrl-C (SIGINT) or SIGTERM\n";

const char kStats[]
    = "Usage: eventium stats\n"
      "\n"
      "Prints one JSON object: events, streams, headPosition, pending (written but not yet\n"
      "numbered), totalBytes, eventsBytes, lagSeconds (age of the oldest unnumbered event),\n"
      "oldestRunningXid (the transaction holding numbering back, or null).\n";

const char kSample[]
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

const char kEmbedded[]
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

} // namespace

QString HelpText::overview()
{
    return QString::fromUtf8(kOverview) + QLatin1Char('\n') + QString::fromUtf8(kGlobalOptions)
        + QString::fromUtf8(kExitCodes);
}

QStringList HelpText::commands()
{
    return {QStringLiteral("migrate"), QStringLiteral("append"),  QStringLiteral("read"),
            QStringLiteral("streams"), QStringLiteral("tail"),    QStringLiteral("stats"),
            QStringLiteral("sample"),  QStringLiteral("embedded")};
}

QString HelpText::command(const QString &name)
{
    const char *text = nullptr;
    if (name == QLatin1String("migrate"))
        text = kMigrate;
    else if (name == QLatin1String("append"))
        text = kAppend;
    else if (name == QLatin1String("read"))
        text = kRead;
    else if (name == QLatin1String("streams"))
        text = kStreams;
    else if (name == QLatin1String("tail"))
        text = kTail;
    else if (name == QLatin1String("stats"))
        text = kStats;
    else if (name == QLatin1String("sample"))
        text = kSample;
    else if (name == QLatin1String("embedded"))
        text = kEmbedded;
    if (!text)
        return {};
    QString out = QString::fromUtf8(text);
    if (name != QLatin1String("embedded"))
        out += QLatin1Char('\n') + QString::fromUtf8(kGlobalOptions);
    return out + QString::fromUtf8(kExitCodes);
}

} // namespace eventium::cli
