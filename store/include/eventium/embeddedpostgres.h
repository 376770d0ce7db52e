#pragma once

#include "eventium/connectionoptions.h"
#include "eventium/result.h"

#include <QString>

namespace eventium {

// A private PostgreSQL server from Debian's server binaries (/usr/lib/postgresql/N/bin),
// for when no server is configured. It listens on a Unix socket inside its own directory
// (and on 127.0.0.1 when a port is asked for), and runs as the `postgres` user when started by
// root (initdb refuses root).
//
// Only its owner gets in. The socket's directory is mode 0700, and connections through it are
// trusted; TCP connections need the `eventium` role's password (scram-sha-256), a random one
// generated for this server and kept in passwordFile() (mode 0600, in the data directory).
// pg_hba.conf is rewritten at every start, so a data directory made by an older version that
// trusted TCP connections gets the password at its next start.
class EmbeddedPostgres
{
public:
    struct Settings
    {
        QString dataDir; // empty: defaultDataDir(); settings() always holds the absolute path
        int tcpPort = 0; // 0: Unix socket only
        bool temporary = false; // remove the data directory on stop / destruction
        bool durable = true; // false: fsync off (tests, benchmarks)
        // Memory and WAL settings sized for the machine (tunedSettings()); false: PostgreSQL's
        // defaults. fsync and synchronous_commit stay on either way when durable.
        bool tuned = true;
        QString binDir; // empty: EVENTIUM_PG_BINDIR, else the newest Debian server
        QString database = QStringLiteral("eventium");
        int startTimeoutSeconds = 60;
        // Extra "-c name=value" server settings.
        QStringList serverSettings;
    };

    explicit EmbeddedPostgres(Settings settings);
    ~EmbeddedPostgres(); // stops the server if this object started a temporary one
    EmbeddedPostgres(const EmbeddedPostgres &) = delete;
    EmbeddedPostgres &operator=(const EmbeddedPostgres &) = delete;

    // A throw-away server in a fresh temporary directory, fsync off, untuned.
    static Settings temporarySettings();
    // $EVENTIUM_DATA_DIR, else a per-user directory: $XDG_DATA_HOME/eventium/postgres
    // (~/.local/share/...), or /var/lib/eventium/postgres for root.
    static QString defaultDataDir();
    static Result<QString> findBinDir(const QString &preferred = {});
    // The server settings of a tuned server on a machine with `memoryBytes` of RAM (0: this
    // machine's), as a desktop application's own database has them: shared_buffers 1/16 of
    // the memory (128 MB to 1 GB), effective_cache_size 1/4 (512 MB to 8 GB), a larger
    // work_mem and maintenance_work_mem, compressed WAL and checkpoints spaced 15 minutes or
    // 2 GB of WAL apart. Durability settings are not among them.
    static QStringList tunedSettings(qint64 memoryBytes = 0);

    // Initialises the data directory if needed, starts the server if it is not running
    // (reusing one already running on the same directory), waits until it accepts
    // connections and creates the database. Idempotent.
    Result<Done> start();
    Result<Done> stop();
    // Makes `standbyDataDir` (which must not exist yet) a hot standby of this running server:
    // a base backup through its socket (pg_basebackup -R, streaming replication as
    // `applicationName`). An EmbeddedPostgres on that directory then starts it; it replays
    // this server's WAL and serves reads.
    Result<Done> makeStandby(const QString &standbyDataDir,
                             const QString &applicationName = QStringLiteral("standby")) const;
    // Promotes this server, a standby, to a primary (pg_ctl promote) and waits until it is.
    Result<Done> promote();
    bool isRunning() const;
    // "running (pid 1234) on /path" or "stopped"
    QString status() const;

    // Through the Unix socket (no password needed).
    ConnectionOptions connectionOptions() const;
    // Through TCP on 127.0.0.1 (Settings::tcpPort), with the `eventium` role's password.
    ConnectionOptions tcpConnectionOptions() const;
    // The file holding the `eventium` role's password: mode 0600, owned by the server's user.
    QString passwordFile() const;
    QString hbaFile() const;
    const Settings &settings() const { return m_settings; }
    QString socketDir() const;
    QString logFile() const;
    bool startedByThisObject() const { return m_startedHere; }

private:
    Result<QString> run(const QString &program, const QStringList &args, int timeoutMs) const;
    Result<Done> initDataDir();
    Result<Done> createDatabase();
    // Writes pg_hba.conf; true when its content changed.
    Result<bool> writeHba();
    // The password in passwordFile(), made when there is none; `created`: made now.
    Result<QString> ensurePassword(bool *created);
    QString readPassword() const;
    bool runsAsPostgresUser() const;
    QString lastLogLines(int count) const;

    Settings m_settings;
    QString m_binDir;
    bool m_startedHere = false;
    // The password is set on the role at the next connection (createDatabase()).
    bool m_passwordPending = false;
    // pg_hba.conf changed under a running server: reload its configuration.
    bool m_reloadPending = false;
};

} // namespace eventium
