#include "eventium/embeddedpostgres.h"

#include "connectionpool.h"
#include "pg/connection.h"
#include "pg/sql.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlError>
#include <QStandardPaths>
#include <QThread>
#include <QUuid>
#include <QVersionNumber>

#include <libpq-fe.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

Q_LOGGING_CATEGORY(lcEmbedded, "eventium.embedded")

namespace eventium {

namespace {

constexpr int kSocketPathMax = 100; // sun_path is 108 bytes with the terminating NUL
constexpr int kPasswordLength = 32; // from 62 characters: about 190 bits
// The role initdb makes (-U), the one every connection to this server uses.
constexpr char kRole[] = "eventium";

// Who may connect how. Rewritten at every start: `trust` only for the Unix socket, whose
// directory (mode 0700) only the server's owner can enter; TCP needs the role's password.
constexpr char kHbaConf[]
    = "# Written by Eventium at every start of this private server; changes here are lost.\n"
      "# The Unix socket's directory is mode 0700: only the server's owner reaches it.\n"
      "local   all          all                   trust\n"
      "local   replication  all                   trust\n"
      "# TCP (127.0.0.1) needs the password kept in eventium.password beside this file.\n"
      "host    all          all   127.0.0.1/32    scram-sha-256\n"
      "host    replication  all   127.0.0.1/32    scram-sha-256\n"
      "host    all          all   ::1/128         scram-sha-256\n"
      "host    replication  all   ::1/128         scram-sha-256\n";

StoreError embeddedError(const QString &message)
{
    return StoreError(StoreError::Kind::Embedded, message);
}

bool isRoot()
{
    return ::geteuid() == 0;
}

struct passwd *postgresUser()
{
    return ::getpwnam("postgres");
}

bool chownToPostgres(const QString &path)
{
    if (!isRoot())
        return true;
    struct passwd *pw = postgresUser();
    return pw && ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

// Letters and digits only, from the system's cryptographic random source.
QString generatePassword()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr int size = sizeof(alphabet) - 1;
    QString password;
    password.reserve(kPasswordLength);
    for (int i = 0; i < kPasswordLength; ++i)
        password += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(size)]);
    return password;
}

// Writes `content` to a new file `path` created with mode 0600 (never an existing one).
bool writeNewPrivateFile(const QString &path, const QByteArray &content)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    qsizetype written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.constData() + written,
                                  static_cast<size_t>(content.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        written += n;
    }
    const bool ok = written == content.size() && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
        ::unlink(name.constData());
    return ok;
}

} // namespace

EmbeddedPostgres::EmbeddedPostgres(Settings settings)
    : m_settings(std::move(settings))
{
    if (m_settings.dataDir.isEmpty())
        m_settings.dataDir = defaultDataDir();
    m_settings.dataDir = QDir::cleanPath(QDir(m_settings.dataDir).absolutePath());
}

EmbeddedPostgres::~EmbeddedPostgres()
{
    if (m_settings.temporary) {
        if (isRunning())
            (void)stop();
        QDir(m_settings.dataDir).removeRecursively();
        const QFileInfo parent(QFileInfo(m_settings.dataDir).absolutePath());
        if (parent.fileName().startsWith(QLatin1String("eventium-pg-")))
            QDir(parent.absoluteFilePath()).removeRecursively();
    }
}

EmbeddedPostgres::Settings EmbeddedPostgres::temporarySettings()
{
    Settings s;
    QByteArray templ = QFile::encodeName(QDir::tempPath() + QStringLiteral("/eventium-pg-XXXXXX"));
    if (::mkdtemp(templ.data()) == nullptr)
        qCWarning(lcEmbedded) << "mkdtemp failed for" << templ;
    s.dataDir = QFile::decodeName(templ) + QStringLiteral("/data");
    chownToPostgres(QFile::decodeName(templ));
    s.temporary = true;
    s.durable = false;
    s.tuned = false; // many of them run at once: PostgreSQL's small defaults
    return s;
}

QString EmbeddedPostgres::defaultDataDir()
{
    const QString fromEnv = qEnvironmentVariable("EVENTIUM_DATA_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    if (isRoot())
        return QStringLiteral("/var/lib/eventium/postgres");
    QString base = qEnvironmentVariable("XDG_DATA_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/eventium/postgres");
}

QStringList EmbeddedPostgres::tunedSettings(qint64 memoryBytes)
{
    if (memoryBytes <= 0) {
        const long pages = ::sysconf(_SC_PHYS_PAGES);
        const long pageSize = ::sysconf(_SC_PAGE_SIZE);
        memoryBytes = pages > 0 && pageSize > 0 ? qint64(pages) * pageSize : 0;
    }
    constexpr qint64 mb = 1024 * 1024;
    const qint64 memoryMb = memoryBytes / mb;
    const qint64 sharedBuffers = std::clamp<qint64>(memoryMb / 16, 128, 1024);
    const qint64 cache = std::clamp<qint64>(memoryMb / 4, 512, 8192);
    return {
        QStringLiteral("shared_buffers = '%1MB'").arg(sharedBuffers),
        QStringLiteral("effective_cache_size = '%1MB'").arg(cache),
        QStringLiteral("work_mem = '16MB'"),
        QStringLiteral("maintenance_work_mem = '%1MB'")
            .arg(std::clamp<qint64>(memoryMb / 32, 64, 512)),
        QStringLiteral("wal_compression = on"),
        QStringLiteral("checkpoint_timeout = '15min'"),
        QStringLiteral("max_wal_size = '2GB'"),
        QStringLiteral("min_wal_size = '256MB'"),
        QStringLiteral("checkpoint_completion_target = 0.9"),
        // SSD-era planner costs: random reads are not four times sequential ones.
        QStringLiteral("random_page_cost = 1.1"),
    };
}

Result<QString> EmbeddedPostgres::findBinDir(const QString &preferred)
{
    QStringList candidates;
    const QString env = qEnvironmentVariable("EVENTIUM_PG_BINDIR");
    if (!preferred.isEmpty())
        candidates << preferred; // an explicit choice: nothing else is tried
    else if (!env.isEmpty())
        candidates << env;
    QDir root(QStringLiteral("/usr/lib/postgresql"));
    if (candidates.isEmpty()) {
        QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
            return QVersionNumber::fromString(a) > QVersionNumber::fromString(b);
        });
        for (const QString &v : versions)
            candidates << root.filePath(v + QStringLiteral("/bin"));
    }
    for (const QString &dir : candidates) {
        if (QFileInfo(dir + QStringLiteral("/pg_ctl")).isExecutable()
            && QFileInfo(dir + QStringLiteral("/initdb")).isExecutable())
            return dir;
    }
    return embeddedError(
        QStringLiteral("PostgreSQL server binaries not found (looked for initdb and pg_ctl in %1); "
                       "install the Debian package 'postgresql' or set EVENTIUM_PG_BINDIR")
            .arg(candidates.isEmpty() ? QStringLiteral("/usr/lib/postgresql/*/bin")
                                      : candidates.join(QStringLiteral(", "))));
}

bool EmbeddedPostgres::runsAsPostgresUser() const
{
    return isRoot();
}

Result<QString> EmbeddedPostgres::run(const QString &program, const QStringList &args,
                                      int timeoutMs) const
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString exe = m_binDir + QLatin1Char('/') + program;
    if (runsAsPostgresUser()) {
        if (!postgresUser())
            return embeddedError(QStringLiteral("running as root needs the 'postgres' system user "
                                                "(install the 'postgresql' package)"));
        p.start(QStringLiteral("runuser"),
                QStringList {QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                             exe}
                    + args);
    } else {
        p.start(exe, args);
    }
    if (!p.waitForStarted(10000))
        return embeddedError(QStringLiteral("cannot run %1: %2").arg(exe, p.errorString()));
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return embeddedError(
            QStringLiteral("%1 did not finish within %2 s").arg(program).arg(timeoutMs / 1000));
    }
    const QString out = QString::fromLocal8Bit(p.readAll()).trimmed();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return StoreError(
            StoreError::Kind::Embedded,
            QStringLiteral("%1 failed (exit %2): %3").arg(program).arg(p.exitCode()).arg(out),
            QString::number(p.exitCode()));
    return out;
}

QString EmbeddedPostgres::socketDir() const
{
    const QString inData = m_settings.dataDir;
    if ((inData + QStringLiteral("/.s.PGSQL.65535")).toUtf8().size() <= kSocketPathMax)
        return inData;
    const QByteArray hash
        = QCryptographicHash::hash(inData.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    return QDir::tempPath() + QStringLiteral("/eventium-sock-") + QString::fromLatin1(hash);
}

QString EmbeddedPostgres::logFile() const
{
    return m_settings.dataDir + QStringLiteral("/server.log");
}

QString EmbeddedPostgres::lastLogLines(int count) const
{
    QFile f(logFile());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList lines
        = QString::fromLocal8Bit(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.mid(qMax<qsizetype>(0, lines.size() - count)).join(QLatin1Char('\n'));
}

Result<Done> EmbeddedPostgres::initDataDir()
{
    const QString dir = m_settings.dataDir;
    if (QFileInfo::exists(dir + QStringLiteral("/PG_VERSION")))
        return Done {};
    if (isRoot() && !postgresUser())
        return embeddedError(QStringLiteral(
            "running as root needs the 'postgres' system user (install the 'postgresql' package)"));
    QFileInfo parent(QFileInfo(dir).absolutePath());
    if (!QDir().mkpath(parent.absoluteFilePath()))
        return embeddedError(QStringLiteral("cannot create %1").arg(parent.absoluteFilePath()));
    if (!QDir().mkpath(dir) || !chownToPostgres(dir)
        || ::chmod(QFile::encodeName(dir).constData(), 0700) != 0)
        return embeddedError(QStringLiteral("cannot create the data directory %1").arg(dir));
    qCInfo(lcEmbedded).noquote() << "initialising a PostgreSQL data directory in" << dir;
    QStringList args {QStringLiteral("-D"), dir, QStringLiteral("-U"), QStringLiteral("eventium"),
                      // pg_hba.conf is rewritten before every start (writeHba()).
                      QStringLiteral("--auth-local=trust"), QStringLiteral("--auth-host=reject"),
                      QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C.UTF-8")};
    if (!m_settings.durable)
        args << QStringLiteral("--no-sync");
    auto r = run(QStringLiteral("initdb"), args, 120000);
    if (!r)
        return embeddedError(
            QStringLiteral("initdb failed for %1: %2").arg(dir, r.error().message()));
    QFile conf(dir + QStringLiteral("/postgresql.conf"));
    if (!conf.open(QIODevice::Append))
        return embeddedError(QStringLiteral("cannot write %1").arg(conf.fileName()));
    conf.write(
        "\n# Eventium's settings for this private server\ninclude_if_exists = 'eventium.conf'\n");
    return Done {};
}

bool EmbeddedPostgres::isRunning() const
{
    // What `pg_ctl status` does, without starting a process: the postmaster.pid names a
    // live process.
    QFile pidFile(m_settings.dataDir + QStringLiteral("/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return false;
    bool ok = false;
    const qint64 pid = pidFile.readLine().trimmed().toLongLong(&ok);
    if (!ok || pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

QString EmbeddedPostgres::status() const
{
    if (!QFileInfo::exists(m_settings.dataDir + QStringLiteral("/PG_VERSION")))
        return QStringLiteral("not initialised (%1)").arg(m_settings.dataDir);
    if (!isRunning())
        return QStringLiteral("stopped (%1)").arg(m_settings.dataDir);
    QFile pid(m_settings.dataDir + QStringLiteral("/postmaster.pid"));
    QString pidText;
    if (pid.open(QIODevice::ReadOnly))
        pidText = QString::fromLatin1(pid.readLine()).trimmed();
    return QStringLiteral("running (pid %1) on %2")
        .arg(pidText, connectionOptions().toDisplayString());
}

QString EmbeddedPostgres::passwordFile() const
{
    return m_settings.dataDir + QStringLiteral("/eventium.password");
}

QString EmbeddedPostgres::hbaFile() const
{
    return m_settings.dataDir + QStringLiteral("/pg_hba.conf");
}

QString EmbeddedPostgres::readPassword() const
{
    QFile f(passwordFile());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readLine(1024)).trimmed();
}

Result<QString> EmbeddedPostgres::ensurePassword(bool *created)
{
    *created = false;
    const QString path = passwordFile();
    const QByteArray name = QFile::encodeName(path);
    if (QString existing = readPassword(); !existing.isEmpty()) {
        ::chmod(name.constData(), 0600);
        return existing;
    }
    // Written whole under another name, then linked into place: another process starting the
    // same server at the same time reads either no file or the whole of one, and the first
    // link wins.
    const QString temp = path + QStringLiteral(".new-%1").arg(QString::number(::getpid()));
    QFile::remove(temp);
    const QString password = generatePassword();
    if (!writeNewPrivateFile(temp, password.toUtf8() + '\n'))
        return embeddedError(QStringLiteral("cannot write %1: %2")
                                 .arg(temp, QString::fromLocal8Bit(std::strerror(errno))));
    chownToPostgres(temp);
    const bool linked = ::link(QFile::encodeName(temp).constData(), name.constData()) == 0;
    const int linkErrno = errno;
    QFile::remove(temp);
    if (linked) {
        *created = true;
        return password;
    }
    if (linkErrno == EEXIST) {
        if (QString theirs = readPassword(); !theirs.isEmpty())
            return theirs;
        return embeddedError(
            QStringLiteral("%1 holds no password; remove it, and the next start makes a new one")
                .arg(path));
    }
    return embeddedError(QStringLiteral("cannot write %1: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(linkErrno))));
}

Result<bool> EmbeddedPostgres::writeHba()
{
    QFile f(hbaFile());
    const QByteArray wanted(kHbaConf);
    if (f.open(QIODevice::ReadOnly) && f.readAll() == wanted)
        return false;
    f.close();
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(wanted) != wanted.size()
        || !f.flush())
        return embeddedError(QStringLiteral("cannot write %1").arg(f.fileName()));
    f.close();
    ::chmod(QFile::encodeName(f.fileName()).constData(), 0600);
    chownToPostgres(f.fileName());
    return true;
}

ConnectionOptions EmbeddedPostgres::tcpConnectionOptions() const
{
    ConnectionOptions o = connectionOptions();
    o.host = QStringLiteral("127.0.0.1");
    o.password = readPassword();
    return o;
}

ConnectionOptions EmbeddedPostgres::connectionOptions() const
{
    ConnectionOptions o;
    o.host = socketDir();
    o.port = m_settings.tcpPort > 0 ? m_settings.tcpPort : 5432;
    // A running server tells its real port in postmaster.pid (line 4).
    QFile pid(m_settings.dataDir + QStringLiteral("/postmaster.pid"));
    if (pid.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = pid.readAll().split('\n');
        if (lines.size() > 4) {
            bool ok = false;
            const int port = lines.at(3).trimmed().toInt(&ok);
            if (ok && port > 0)
                o.port = port;
            const QString sock = QString::fromLocal8Bit(lines.at(4).trimmed());
            if (!sock.isEmpty())
                o.host = sock;
        }
    }
    o.dbname = m_settings.database;
    o.user = QLatin1String(kRole);
    return o;
}

Result<Done> EmbeddedPostgres::start()
{
    auto bin = findBinDir(m_settings.binDir);
    if (!bin)
        return bin.error();
    m_binDir = bin.value();
    if (auto r = initDataDir(); !r)
        return r;
    // The role's password and who may connect how, before the server runs (or, when it runs
    // already, before it is used).
    bool passwordCreated = false;
    if (auto password = ensurePassword(&passwordCreated); !password)
        return password.error();
    m_passwordPending = m_passwordPending || passwordCreated;
    auto hbaChanged = writeHba();
    if (!hbaChanged)
        return hbaChanged.error();
    if (isRunning()) {
        m_reloadPending = m_reloadPending || hbaChanged.value();
        auto reused = createDatabase();
        if (reused)
            return reused;
        QFile pidFile(m_settings.dataDir + QStringLiteral("/postmaster.pid"));
        QString pid;
        if (pidFile.open(QIODevice::ReadOnly))
            pid = QString::fromLatin1(pidFile.readLine()).trimmed();
        return embeddedError(
            QStringLiteral(
                "the data directory %1 is locked by process %2 (postmaster.pid), which does not "
                "accept connections; stop it, or remove the stale postmaster.pid if no "
                "PostgreSQL runs there (%3)")
                .arg(m_settings.dataDir, pid, reused.error().message()));
    }

    // Settings are rewritten at every start; the data directory keeps everything else.
    const QString sock = socketDir();
    if (sock != m_settings.dataDir) {
        QDir().mkpath(sock);
        chownToPostgres(sock);
        ::chmod(QFile::encodeName(sock).constData(), 0700);
    }
    QStringList conf {
        QStringLiteral("unix_socket_directories = '%1'")
            .arg(QString(sock).replace(QLatin1Char('\''), QStringLiteral("''"))),
        QStringLiteral("unix_socket_permissions = 0700"),
        QStringLiteral("listen_addresses = '%1'")
            .arg(m_settings.tcpPort > 0 ? QStringLiteral("127.0.0.1") : QString()),
        QStringLiteral("port = %1").arg(m_settings.tcpPort > 0 ? m_settings.tcpPort : 5432),
        QStringLiteral("max_connections = 200"),
        QStringLiteral("password_encryption = 'scram-sha-256'"),
        QStringLiteral("logging_collector = off"),
    };
    if (m_settings.tuned)
        conf << tunedSettings();
    if (!m_settings.durable)
        conf << QStringLiteral("fsync = off") << QStringLiteral("full_page_writes = off");
    conf << m_settings.serverSettings;
    QFile confFile(m_settings.dataDir + QStringLiteral("/eventium.conf"));
    if (!confFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return embeddedError(QStringLiteral("cannot write %1").arg(confFile.fileName()));
    confFile.write(conf.join(QLatin1Char('\n')).toUtf8() + "\n");
    confFile.close();
    chownToPostgres(confFile.fileName());

    // Truncate the log so errors we report are this start's.
    {
        QFile log(logFile());
        if (log.open(QIODevice::WriteOnly | QIODevice::Truncate))
            log.close();
        chownToPostgres(logFile());
    }
    auto r = run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("start"), QStringLiteral("-D"), m_settings.dataDir,
                  QStringLiteral("-l"), logFile(), QStringLiteral("-w"), QStringLiteral("-t"),
                  QString::number(m_settings.startTimeoutSeconds)},
                 (m_settings.startTimeoutSeconds + 10) * 1000);
    if (!r) {
        if (isRunning()) // another process started it meanwhile
            return createDatabase();
        const QString log = lastLogLines(8);
        QString why = r.error().message();
        if (log.contains(QLatin1String("Address already in use")))
            why = QStringLiteral("port %1 on 127.0.0.1 is busy").arg(m_settings.tcpPort);
        else if (log.contains(QLatin1String("lock file")))
            why = QStringLiteral("the data directory %1 is locked by another server")
                      .arg(m_settings.dataDir);
        return embeddedError(QStringLiteral("cannot start PostgreSQL in %1: %2\n%3")
                                 .arg(m_settings.dataDir, why, log));
    }
    m_startedHere = true;
    qCInfo(lcEmbedded).noquote() << "started PostgreSQL in" << m_settings.dataDir;
    return createDatabase();
}

Result<Done> EmbeddedPostgres::createDatabase()
{
    ConnectionOptions o = connectionOptions();
    o.dbname = QStringLiteral("postgres");
    ConnectionPool::Settings ps;
    ps.maxConnections = 1;
    ConnectionPool pool(o, ps);
    Result<PooledConnection> lease = StoreError(StoreError::Kind::Embedded, QString());
    for (int attempt = 0; attempt < 20 && !(lease = pool.acquire()); ++attempt)
        QThread::msleep(100);
    if (!lease)
        return embeddedError(QStringLiteral("the embedded server does not accept connections: %1")
                                 .arg(lease.error().message()));
    pg::Connection c(std::move(lease.value()));
    // The role's password: set when the password file is new, or when the role has none (a
    // data directory made when TCP connections were trusted). Only its SCRAM verifier is
    // sent; the password itself never leaves this process.
    auto hasPassword
        = c.exec(QStringLiteral("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1"),
                 {pg::param(QString::fromLatin1(kRole))}, QStringLiteral("embedded server"));
    if (!hasPassword)
        return hasPassword.error();
    if (m_passwordPending || hasPassword->rows() != 1 || !hasPassword->boolean(0, 0)) {
        const QString password = readPassword();
        if (password.isEmpty())
            return embeddedError(QStringLiteral("cannot read %1").arg(passwordFile()));
        char *verifier = PQencryptPasswordConn(c.handle(), password.toUtf8().constData(), kRole,
                                               "scram-sha-256");
        if (verifier == nullptr)
            return embeddedError(QStringLiteral("cannot encrypt the password: %1")
                                     .arg(QString::fromLocal8Bit(PQerrorMessage(c.handle()))));
        const QString literal = pg::quoteLiteral(QString::fromLatin1(verifier));
        PQfreemem(verifier);
        auto set = c.script(QStringLiteral("ALTER ROLE %1 PASSWORD %2")
                                .arg(pg::quoteIdent(QString::fromLatin1(kRole)), literal),
                            QStringLiteral("setting the role's password"));
        if (!set)
            return set.error();
        m_passwordPending = false;
        qCInfo(lcEmbedded).noquote() << "set the password of role" << kRole
                                     << "for TCP connections (kept in" << passwordFile() + ")";
    }
    if (m_reloadPending) {
        auto reloaded = c.exec(QStringLiteral("SELECT pg_reload_conf()"), {},
                               QStringLiteral("reloading the server's configuration"));
        if (!reloaded)
            return reloaded.error();
        m_reloadPending = false;
    }
    auto exists = c.exec(QStringLiteral("SELECT 1 FROM pg_database WHERE datname = $1"),
                         {pg::param(m_settings.database)}, QStringLiteral("embedded server"));
    if (!exists)
        return exists.error();
    if (exists->rows() > 0)
        return Done {};
    auto created
        = c.script(QStringLiteral("CREATE DATABASE ") + pg::quoteIdent(m_settings.database),
                   QStringLiteral("creating the database"));
    // Another process may have created it meanwhile.
    if (!created && created.error().sqlState() != QLatin1String("42P04")
        && created.error().sqlState() != QLatin1String("23505"))
        return created.error();
    return Done {};
}

Result<Done> EmbeddedPostgres::makeStandby(const QString &standbyDataDir,
                                           const QString &applicationName) const
{
    if (!isRunning())
        return embeddedError(QStringLiteral("a standby needs its primary running"));
    auto bin = findBinDir(m_settings.binDir);
    if (!bin)
        return bin.error();
    // Runs pg_basebackup as this server's user; never owns (or removes) the server.
    Settings runnerSettings = m_settings;
    runnerSettings.temporary = false;
    EmbeddedPostgres runner(runnerSettings);
    runner.m_binDir = bin.value();
    const QFileInfo target(standbyDataDir);
    if (target.exists())
        return embeddedError(QStringLiteral("%1 exists already").arg(standbyDataDir));
    const QString parent = target.absolutePath();
    if (!QDir().mkpath(parent) || !chownToPostgres(parent))
        return embeddedError(QStringLiteral("cannot create %1").arg(parent));
    auto r = runner.run(QStringLiteral("pg_basebackup"),
                        {QStringLiteral("-D"), target.absoluteFilePath(), QStringLiteral("-h"),
                         socketDir(), QStringLiteral("-p"),
                         QString::number(m_settings.tcpPort > 0 ? m_settings.tcpPort : 5432),
                         QStringLiteral("-U"), QLatin1String(kRole), QStringLiteral("-d"),
                         QStringLiteral("application_name=") + applicationName,
                         QStringLiteral("-R"), QStringLiteral("-X"), QStringLiteral("stream"),
                         QStringLiteral("-c"), QStringLiteral("fast")},
                        600000);
    if (!r)
        return embeddedError(QStringLiteral("pg_basebackup failed: %1").arg(r.error().message()));
    // This server's socket lives in its data directory: the copy of its lock file names a
    // running postmaster and would keep the standby from starting.
    const QDir copy(target.absoluteFilePath());
    for (const QString &lock :
         copy.entryList({QStringLiteral(".s.PGSQL.*")}, QDir::Files | QDir::Hidden | QDir::System))
        QFile::remove(copy.filePath(lock));
    return Done {};
}

Result<Done> EmbeddedPostgres::promote()
{
    auto bin = findBinDir(m_settings.binDir);
    if (!bin)
        return bin.error();
    m_binDir = bin.value();
    auto r = run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("promote"), QStringLiteral("-D"), m_settings.dataDir,
                  QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60")},
                 70000);
    if (!r)
        return r.error();
    return Done {};
}

Result<Done> EmbeddedPostgres::stop()
{
    if (m_binDir.isEmpty()) {
        auto bin = findBinDir(m_settings.binDir);
        if (!bin)
            return bin.error();
        m_binDir = bin.value();
    }
    if (!isRunning())
        return Done {};
    auto r = run(QStringLiteral("pg_ctl"),
                 {QStringLiteral("stop"), QStringLiteral("-D"), m_settings.dataDir,
                  QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                  QStringLiteral("-t"), QStringLiteral("60")},
                 70000);
    if (!r)
        return r.error();
    m_startedHere = false;
    return Done {};
}

} // namespace eventium
