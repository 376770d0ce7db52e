#include "helptext.h"

namespace eventium::cli {

namespace {

const char kGlobalOptions[]
    = "Global options (before or after the command):\n"
      "  --db CONNINFO|URL  where to connect, e.g. \"host=db dbname=app\" or\n"
      "                     postgres://user@db/app (default: $DATABASE_URL, else the\n"
      "                     embedded server, see `eventium embedded --help`)\n"
      "  --read-db CONNINFO|URL  where the reading commands (read, stream-info, diff,\n"
      "                     related, state, streams, tail, search, export, types,\n"
      "                     activity, stats, status) read, e.g. a hot standby (default:\n"
      "                     $DATABASE_READ_URL when the write connection comes from\n"
      "                     $DATABASE_URL, else the write connection); the others never\n"
      "                     use it\n"
      "  --schema NAME      the schema holding the store (default: $EVENTIUM_SCHEMA or\n"
      "                     \"eventium\")\n"
      "  --pooler MODE      how the connection reaches the server: direct, session (a\n"
      "                     pooler such as PgBouncer in session mode) or transaction (one\n"
      "                     in transaction mode: no prepared statements are kept, and\n"
      "                     tail --follow polls) (default: $EVENTIUM_POOLER, else direct)\n"
      "  --verbose          say more on stderr\n"
      "  -h, --help         show help\n";

const char kUsage[]
    = "Usage: eventium [--db CONNINFO|URL] [--read-db CONNINFO|URL] [--schema NAME]\n"
      "                [--pooler MODE] COMMAND ...\n"
      "\n"
      "An event store on PostgreSQL. Output is JSON lines on stdout; errors go to stderr.\n"
      "\n"
      "Commands:\n";

const char kAfterCommands[]
    = "\n"
      "Run `eventium COMMAND --help` for a command's options. Commands other than migrate and\n"
      "embedded create the schema when it does not exist yet.\n"
      "\n"
      "  --version          print the version\n";

const char kExitCodes[]
    = "\nExit codes: 0 success, 1 other error, 2 usage, 3 wrong expected version (or a\n"
      "subscription held by a runner), 4 bad input, 5 cannot connect, 6 stream deleted\n"
      "for good, 7 no projection for the stream's category (state), 8 the server's\n"
      "history is not the one printed (follow: a failover lost commits).\n";

constexpr int kNameWidth = 14;

} // namespace

QString HelpText::overview(std::span<const Command> commands)
{
    QString text = QString::fromUtf8(kUsage);
    for (const Command &command : commands) {
        text += QStringLiteral("  ") + QString::fromLatin1(command.name).leftJustified(kNameWidth)
            + QString::fromUtf8(command.summary) + QLatin1Char('\n');
    }
    return text + QString::fromUtf8(kAfterCommands) + QLatin1Char('\n')
        + QString::fromUtf8(kGlobalOptions) + QString::fromUtf8(kExitCodes);
}

QString HelpText::command(const Command &command)
{
    QString text = QString::fromUtf8(command.help);
    if (command.usesStore)
        text += QLatin1Char('\n') + QString::fromUtf8(kGlobalOptions);
    return text + QString::fromUtf8(kExitCodes);
}

} // namespace eventium::cli
