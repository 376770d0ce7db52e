#pragma once

#include <eventium/connectionoptions.h>
#include <eventium/embeddedpostgres.h>

#include <QString>

#include <memory>

namespace eventium::test {

// A primary and a hot standby made from it (pg_basebackup -R, streaming replication), both
// throw-away servers on Unix sockets of their own. Synchronous: the primary's commits wait
// until the standby has applied them (synchronous_standby_names '*', synchronous_commit
// remote_apply), so a promoted standby has every acknowledged commit. Asynchronous: it may not.
// fsync is off on both (what a test needs is the order of things, not their survival of a
// power cut), full_page_writes stays on (pg_basebackup needs it).
class ReplicaSet
{
public:
    explicit ReplicaSet(bool synchronous);
    ~ReplicaSet(); // stops both servers and removes their data
    ReplicaSet(const ReplicaSet &) = delete;
    ReplicaSet &operator=(const ReplicaSet &) = delete;

    // Starts the primary, makes the standby from it and starts it; false with a message.
    bool start(QString *error);

    ConnectionOptions primaryOptions() const;
    ConnectionOptions standbyOptions() const;
    // Both servers in one libpq multi-host connection string that wants a server that
    // accepts writes (target_session_attrs=read-write): the primary, or after a failover the
    // promoted standby.
    ConnectionOptions writerOptions() const;

    // Runs one statement on the primary as its superuser (settings, fault injection).
    bool execOnPrimary(const QString &sql, QString *error);
    // Waits until the standby has replayed everything the primary has written so far (also
    // commits not flushed yet, which it gets when the primary's WAL writer writes them).
    bool waitForReplay(QString *error, int timeoutMs = 30000);
    // Stops the primary: "immediate" (a crash: nothing more reaches the standby) or "fast".
    bool stopPrimary(QString *error, const QString &mode = QStringLiteral("immediate"));
    bool startPrimary(QString *error);
    bool stopStandby(QString *error);
    bool startStandby(QString *error);
    // pg_ctl promote on the standby; waits until it accepts writes.
    bool promoteStandby(QString *error, int timeoutMs = 60000);

    EmbeddedPostgres &primary() { return *m_primary; }
    EmbeddedPostgres &standby() { return *m_standby; }

private:
    bool pgctl(const QString &dataDir, const QStringList &arguments, QString *error) const;
    bool runAsServerUser(const QString &program, const QStringList &arguments, QString *output,
                         int timeoutMs) const;

    bool m_synchronous;
    QString m_binDir;
    std::unique_ptr<EmbeddedPostgres> m_primary;
    std::unique_ptr<EmbeddedPostgres> m_standby;
};

} // namespace eventium::test
