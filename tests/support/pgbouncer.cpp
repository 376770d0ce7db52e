#include "pgbouncer.h"

#include "testdatabase.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <libpq-fe.h>

#include <algorithm>
#include <csignal>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace eventium::test {

namespace {

// The socket is .s.PGSQL.<port> in a directory of its own, so any number will do.
constexpr int kPort = 6432;
constexpr char kDatabase[] = "eventium";
constexpr int kStartTimeoutMs = 15000;

bool asRoot()
{
    return ::geteuid() == 0;
}

// Run as root, PgBouncer runs as `postgres`: its files must be that user's.
bool giveToPostgres(const QString &path)
{
    if (!asRoot())
        return true;
    struct passwd *pw = ::getpwnam("postgres");
    return pw && ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

// A value in PgBouncer's connection strings ([databases]): quoted unless plain.
QString connValue(const QString &value)
{
    const bool plain = !value.isEmpty() && std::none_of(value.begin(), value.end(), [](QChar c) {
        return c.isSpace() || c == QLatin1Char('\'') || c == QLatin1Char('\\');
    });
    if (plain)
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

bool writeFile(const QString &path, const QByteArray &content, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    f.close();
    ::chmod(QFile::encodeName(path).constData(), 0600);
    if (!giveToPostgres(path)) {
        *error = QStringLiteral("cannot give %1 to the postgres user").arg(path);
        return false;
    }
    return true;
}

} // namespace

PgBouncer::PgBouncer(Settings settings)
    : m_settings(settings)
    , m_dir(QDir::tempPath() + QStringLiteral("/eventium-pgbouncer-XXXXXX"))
{
}

PgBouncer::~PgBouncer()
{
    stop();
}

QString PgBouncer::program()
{
    return QStringLiteral("/usr/sbin/pgbouncer");
}

bool PgBouncer::start(QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    if (!TestDatabase::ensure(error))
        return false;
    if (!QFile::exists(program())) {
        *error = QStringLiteral("%1 is missing: install the Debian package pgbouncer "
                                "(scripts/setup-debian.sh)")
                     .arg(program());
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot make a temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    // QTemporaryDir makes it 0700.
    if (!giveToPostgres(m_dir.path())) {
        *error = QStringLiteral("cannot give %1 to the postgres user").arg(m_dir.path());
        return false;
    }

    const ConnectionOptions server = TestDatabase::options();
    QStringList target;
    if (!server.host.isEmpty())
        target << QStringLiteral("host=") + connValue(server.host);
    if (server.port > 0)
        target << QStringLiteral("port=%1").arg(server.port);
    if (!server.dbname.isEmpty())
        target << QStringLiteral("dbname=") + connValue(server.dbname);
    if (!server.user.isEmpty())
        target << QStringLiteral("user=") + connValue(server.user);
    if (!server.password.isEmpty())
        target << QStringLiteral("password=") + connValue(server.password);
    const QString user = server.user.isEmpty() ? QStringLiteral("eventium") : server.user;

    // auth_type = trust still wants the user in the auth_file.
    const QString users = m_dir.filePath(QStringLiteral("users.txt"));
    if (!writeFile(users, QStringLiteral("\"%1\" \"\"\n").arg(user).toUtf8(), error))
        return false;
    const QStringList ini {
        QStringLiteral("[databases]"),
        QStringLiteral("%1 = %2").arg(QLatin1String(kDatabase), target.join(QLatin1Char(' '))),
        QString(),
        QStringLiteral("[pgbouncer]"),
        QStringLiteral("listen_addr ="),
        QStringLiteral("listen_port = %1").arg(kPort),
        QStringLiteral("unix_socket_dir = %1").arg(m_dir.path()),
        QStringLiteral("unix_socket_mode = 0600"),
        QStringLiteral("auth_type = trust"),
        QStringLiteral("auth_file = %1").arg(users),
        QStringLiteral("admin_users = %1").arg(user),
        QStringLiteral("pool_mode = %1")
            .arg(m_settings.mode == PoolMode::Transaction ? QStringLiteral("transaction")
                                                          : QStringLiteral("session")),
        QStringLiteral("default_pool_size = %1").arg(m_settings.poolSize),
        QStringLiteral("max_db_connections = %1").arg(m_settings.poolSize),
        QStringLiteral("min_pool_size = 0"),
        QStringLiteral("reserve_pool_size = 0"),
        QStringLiteral("max_client_conn = %1").arg(m_settings.maxClients),
        QStringLiteral("pidfile = %1").arg(m_dir.filePath(QStringLiteral("pgbouncer.pid"))),
        QStringLiteral("logfile ="),
        QStringLiteral("log_connections = 0"),
        QStringLiteral("log_disconnections = 0"),
    };
    const QString iniFile = m_dir.filePath(QStringLiteral("pgbouncer.ini"));
    if (!writeFile(iniFile, ini.join(QLatin1Char('\n')).toUtf8() + '\n', error))
        return false;

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    if (asRoot())
        m_process->start(QStringLiteral("runuser"),
                         {QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                          program(), iniFile});
    else
        m_process->start(program(), {iniFile});
    if (!m_process->waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(program(), m_process->errorString());
        m_process.reset();
        return false;
    }

    const QByteArray conninfo = options().toConnInfo().toUtf8();
    QDeadlineTimer deadline(kStartTimeoutMs);
    while (true) {
        if (PQping(conninfo.constData()) == PQPING_OK)
            return true;
        if (m_process->state() == QProcess::NotRunning || deadline.hasExpired()) {
            *error = QStringLiteral("PgBouncer did not accept connections within %1 s: %2")
                         .arg(kStartTimeoutMs / 1000)
                         .arg(log().trimmed());
            stop();
            return false;
        }
        m_process->waitForReadyRead(50);
    }
}

void PgBouncer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        // PgBouncer's own process (not runuser's, which would wait seconds before passing the
        // signal on): its pid file, in the private directory.
        QFile pidFile(m_dir.filePath(QStringLiteral("pgbouncer.pid")));
        bool signalled = false;
        if (pidFile.open(QIODevice::ReadOnly)) {
            const pid_t pid = pid_t(pidFile.readAll().trimmed().toLongLong());
            signalled = pid > 0 && ::kill(pid, SIGTERM) == 0;
        }
        if (!signalled)
            m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    log();
    m_process.reset();
}

bool PgBouncer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

ConnectionOptions PgBouncer::options() const
{
    ConnectionOptions o;
    o.host = m_dir.path();
    o.port = kPort;
    o.dbname = QLatin1String(kDatabase);
    const QString user = TestDatabase::options().user;
    o.user = user.isEmpty() ? QStringLiteral("eventium") : user;
    return o;
}

QList<QMap<QString, QString>> PgBouncer::show(const QString &command, QString *error) const
{
    QList<QMap<QString, QString>> rows;
    ConnectionOptions admin = options();
    admin.dbname = QStringLiteral("pgbouncer");
    PGconn *conn = PQconnectdb(admin.toConnInfo().toUtf8().constData());
    if (PQstatus(conn) != CONNECTION_OK) {
        if (error)
            *error = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
        PQfinish(conn);
        return rows;
    }
    PGresult *result = PQexec(conn, command.toUtf8().constData());
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
        if (error)
            *error = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
    } else {
        for (int row = 0; row < PQntuples(result); ++row) {
            QMap<QString, QString> values;
            for (int column = 0; column < PQnfields(result); ++column)
                values.insert(QString::fromUtf8(PQfname(result, column)),
                              QString::fromUtf8(PQgetvalue(result, row, column)));
            rows.append(values);
        }
    }
    PQclear(result);
    PQfinish(conn);
    return rows;
}

QString PgBouncer::log() const
{
    if (m_process)
        m_log += m_process->readAll();
    return QString::fromLocal8Bit(m_log);
}

} // namespace eventium::test
