#pragma once

#include <eventium/connectionoptions.h>

#include <QList>
#include <QMap>
#include <QString>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace eventium::test {

// A real PgBouncer (Debian's /usr/sbin/pgbouncer) in front of the test database
// (TestDatabase::options()), started by a test and stopped when destroyed. Its configuration
// lives in a private directory (0700; when run as root, owned by `postgres`, as whom it then
// runs through runuser, since PgBouncer refuses to run as root), and it listens only on a Unix
// socket in that directory (no TCP): whoever can reach the socket is trusted, and only the
// directory's owner (and root) can. It serves the test database as `eventium` and its admin
// console as `pgbouncer` (SHOW commands, for the test role).
class PgBouncer
{
public:
    enum class PoolMode { Session, Transaction };

    struct Settings
    {
        PoolMode mode = PoolMode::Session;
        // Server connections for the database (default_pool_size and max_db_connections):
        // fewer than the clients, so that they share server sessions.
        int poolSize = 2;
        int maxClients = 200;
    };

    explicit PgBouncer(Settings settings);
    ~PgBouncer();
    PgBouncer(const PgBouncer &) = delete;
    PgBouncer &operator=(const PgBouncer &) = delete;

    // Writes the configuration, starts PgBouncer (not daemonized) and waits until it accepts
    // connections; false with a message on error. Needs the test database (TestDatabase).
    bool start(QString *error);
    // Shuts it down (SIGTERM: at once, clients are disconnected); also done by the destructor.
    void stop();
    bool isRunning() const;

    // Through PgBouncer: its socket directory and port, the database's name there, the test
    // database's role.
    ConnectionOptions options() const;
    // The rows of an admin console command ("SHOW POOLS", "SHOW SERVERS", ...), each a map
    // of column name to text; empty with `error` set when it fails.
    QList<QMap<QString, QString>> show(const QString &command, QString *error = nullptr) const;
    // What PgBouncer has written to its stdout and stderr so far.
    QString log() const;

    static QString program();

private:
    Settings m_settings;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    mutable QByteArray m_log;
};

} // namespace eventium::test
