#include "replicaset.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>
#include <QVariant>

#include <unistd.h>

namespace eventium::test {

namespace {

// Runs one statement on a connection of its own: false with a message on error. `value`, when
// given, gets the first column of the first row (a statement without a row is an error then).
bool run(const ConnectionOptions &options, const QString &sql, QString *error,
         QVariant *value = nullptr)
{
    const QString name
        = QStringLiteral("eventium-replicaset-") + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        options.applyTo(db);
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            ok = q.exec(sql) && (!value || q.next());
            if (ok && value)
                *value = q.value(0);
            else if (!ok && error)
                *error = QStringLiteral("%1: %2").arg(sql, q.lastError().text());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// One value of one statement; nullopt with a message on error.
std::optional<QVariant> scalar(const ConnectionOptions &options, const QString &sql, QString *error)
{
    QVariant value;
    if (!run(options, sql, error, &value))
        return std::nullopt;
    return value;
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

ReplicaSet::ReplicaSet(bool synchronous)
    : m_synchronous(synchronous)
{
}

ReplicaSet::~ReplicaSet()
{
    if (m_standby)
        (void)m_standby->stop();
    if (m_primary)
        (void)m_primary->stop();
}

bool ReplicaSet::start(QString *error)
{
    auto bin = EmbeddedPostgres::findBinDir();
    if (!bin)
        return fail(error, bin.error().toString());
    m_binDir = bin.value();

    EmbeddedPostgres::Settings p = EmbeddedPostgres::temporarySettings();
    p.durable = true; // full_page_writes on, which pg_basebackup needs
    p.serverSettings << QStringLiteral("fsync = off") << QStringLiteral("wal_level = replica")
                     << QStringLiteral("max_wal_senders = 5")
                     << QStringLiteral("wal_sender_timeout = 5s");
    m_primary = std::make_unique<EmbeddedPostgres>(p);
    if (auto r = m_primary->start(); !r)
        return fail(error, QStringLiteral("primary: ") + r.error().toString());

    EmbeddedPostgres::Settings s = EmbeddedPostgres::temporarySettings();
    s.durable = true;
    s.serverSettings << QStringLiteral("fsync = off") << QStringLiteral("hot_standby = on")
                     << QStringLiteral("wal_receiver_status_interval = 1s")
                     << QStringLiteral("wal_retrieve_retry_interval = 200ms");
    if (auto r = m_primary->makeStandby(s.dataDir, QStringLiteral("standby1")); !r)
        return fail(error, r.error().toString());
    m_standby = std::make_unique<EmbeddedPostgres>(s);
    if (auto r = m_standby->start(); !r)
        return fail(error, QStringLiteral("standby: ") + r.error().toString());
    if (!waitForReplay(error))
        return false;
    if (!m_synchronous)
        return true;
    // Only now: with a synchronous standby named before it runs, the primary's own start
    // (creating the database) would wait for it forever.
    for (const QString &sql :
         {QStringLiteral("ALTER SYSTEM SET synchronous_standby_names = '*'"),
          QStringLiteral("ALTER SYSTEM SET synchronous_commit = 'remote_apply'"),
          QStringLiteral("SELECT pg_reload_conf()")}) {
        if (!run(primaryOptions(), sql, error))
            return false;
    }
    QDeadlineTimer deadline(30000);
    while (true) {
        QString why;
        auto sync = scalar(primaryOptions(),
                           QStringLiteral("SELECT count(*) FROM pg_stat_replication "
                                          "WHERE sync_state = 'sync'"),
                           &why);
        if (sync && sync->toInt() == 1)
            return true;
        if (deadline.hasExpired())
            return fail(error, QStringLiteral("the standby did not become synchronous: ") + why);
        QThread::msleep(20);
    }
}

ConnectionOptions ReplicaSet::primaryOptions() const
{
    return m_primary->connectionOptions();
}

ConnectionOptions ReplicaSet::standbyOptions() const
{
    return m_standby->connectionOptions();
}

ConnectionOptions ReplicaSet::writerOptions() const
{
    ConnectionOptions o = primaryOptions();
    o.host = m_primary->socketDir() + QLatin1Char(',') + m_standby->socketDir();
    o.extra.insert(QStringLiteral("target_session_attrs"), QStringLiteral("read-write"));
    o.connectTimeout = 5;
    return o;
}

bool ReplicaSet::execOnPrimary(const QString &sql, QString *error)
{
    return run(primaryOptions(), sql, error);
}

bool ReplicaSet::waitForReplay(QString *error, int timeoutMs)
{
    // The insert position, not the write position: a commit without a flush (the sequencer
    // step commits with synchronous_commit off) is inserted but may not be written yet, and
    // the standby gets it once the WAL writer has written it.
    auto lsn = scalar(primaryOptions(), QStringLiteral("SELECT pg_current_wal_insert_lsn()::text"),
                      error);
    if (!lsn)
        return false;
    const QString sql
        = QStringLiteral("SELECT coalesce(pg_last_wal_replay_lsn() >= '%1'::pg_lsn, false)")
              .arg(lsn->toString());
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        QString why;
        auto done = scalar(standbyOptions(), sql, &why);
        if (done && done->toBool())
            return true;
        if (deadline.hasExpired())
            return fail(error,
                        QStringLiteral("the standby did not replay up to %1 within %2 ms%3")
                            .arg(lsn->toString())
                            .arg(timeoutMs)
                            .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
        QThread::msleep(20);
    }
}

bool ReplicaSet::stopPrimary(QString *error, const QString &mode)
{
    return pgctl(m_primary->settings().dataDir,
                 {QStringLiteral("stop"), QStringLiteral("-m"), mode, QStringLiteral("-w")}, error);
}

bool ReplicaSet::startPrimary(QString *error)
{
    if (auto r = m_primary->start(); !r)
        return fail(error, r.error().toString());
    return true;
}

bool ReplicaSet::stopStandby(QString *error)
{
    return pgctl(m_standby->settings().dataDir,
                 {QStringLiteral("stop"), QStringLiteral("-m"), QStringLiteral("fast"),
                  QStringLiteral("-w")},
                 error);
}

bool ReplicaSet::startStandby(QString *error)
{
    if (auto r = m_standby->start(); !r)
        return fail(error, r.error().toString());
    return true;
}

bool ReplicaSet::promoteStandby(QString *error, int timeoutMs)
{
    if (auto r = m_standby->promote(); !r)
        return fail(error, r.error().toString());
    QDeadlineTimer deadline(timeoutMs);
    while (true) {
        QString why;
        auto inRecovery
            = scalar(standbyOptions(), QStringLiteral("SELECT pg_is_in_recovery()"), &why);
        if (inRecovery && !inRecovery->toBool())
            return true;
        if (deadline.hasExpired())
            return fail(error,
                        QStringLiteral("the standby was not promoted within %1 ms: %2")
                            .arg(timeoutMs)
                            .arg(why));
        QThread::msleep(20);
    }
}

bool ReplicaSet::pgctl(const QString &dataDir, const QStringList &arguments, QString *error) const
{
    QString out;
    QStringList args = arguments;
    args << QStringLiteral("-D") << dataDir;
    if (!runAsServerUser(QStringLiteral("pg_ctl"), args, &out, 90000))
        return fail(error,
                    QStringLiteral("pg_ctl %1: %2").arg(arguments.join(QLatin1Char(' ')), out));
    return true;
}

bool ReplicaSet::runAsServerUser(const QString &program, const QStringList &arguments,
                                 QString *output, int timeoutMs) const
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString exe = m_binDir + QLatin1Char('/') + program;
    if (::geteuid() == 0)
        p.start(QStringLiteral("runuser"),
                QStringList {QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                             exe}
                    + arguments);
    else
        p.start(exe, arguments);
    const bool finished = p.waitForStarted(10000) && p.waitForFinished(timeoutMs);
    *output = QString::fromLocal8Bit(p.readAll()).trimmed();
    if (!finished) {
        p.kill();
        p.waitForFinished(2000);
        *output = QStringLiteral("did not finish: ") + *output;
        return false;
    }
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace eventium::test
