#include "tlsserver.h"

#include <QDir>
#include <QFile>
#include <QProcess>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace eventium::test {

namespace {

constexpr int kOpensslTimeoutMs = 60000;

// A port on 127.0.0.1 that nothing listens on right now (0 when there is none).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// Run as root, the embedded server runs as `postgres`: the files it reads must be its own
// (PostgreSQL refuses a key file that others may read, and one it cannot open).
bool giveToServerUser(const QString &path)
{
    if (::geteuid() != 0)
        return true;
    struct passwd *pw = ::getpwnam("postgres");
    return pw && ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

bool setMode(const QString &path, mode_t mode)
{
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

QString quoted(const QString &value)
{
    return QLatin1Char('\'') + QString(value).replace(QLatin1Char('\''), QStringLiteral("''"))
        + QLatin1Char('\'');
}

} // namespace

TlsServer::TlsServer() = default;

TlsServer::~TlsServer() = default;

QString TlsServer::caFile() const
{
    return m_dir.filePath(QStringLiteral("ca.crt"));
}

QString TlsServer::otherCaFile() const
{
    return m_dir.filePath(QStringLiteral("other-ca.crt"));
}

int TlsServer::port() const
{
    return m_server ? m_server->settings().tcpPort : 0;
}

QString TlsServer::password() const
{
    return m_server ? m_server->tcpConnectionOptions().password : QString();
}

ConnectionOptions TlsServer::options(const QString &sslmode, const QString &rootCert) const
{
    ConnectionOptions o = m_server ? m_server->tcpConnectionOptions() : ConnectionOptions {};
    o.host = QStringLiteral("localhost");
    o.port = port();
    o.sslmode = sslmode;
    if (!rootCert.isEmpty())
        o.extra.insert(QStringLiteral("sslrootcert"), rootCert);
    return o;
}

ConnectionOptions TlsServer::socketOptions() const
{
    return m_server ? m_server->connectionOptions() : ConnectionOptions {};
}

bool TlsServer::openssl(const QStringList &arguments, QString *error) const
{
    QProcess p;
    p.setWorkingDirectory(m_dir.path());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), arguments);
    if (!p.waitForStarted(10000)) {
        *error = QStringLiteral("cannot run openssl (install the Debian package 'openssl'): %1")
                     .arg(p.errorString());
        return false;
    }
    if (!p.waitForFinished(kOpensslTimeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        *error = QStringLiteral("openssl %1 did not finish").arg(arguments.join(QLatin1Char(' ')));
        return false;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("openssl %1 failed (exit %2): %3")
                     .arg(arguments.join(QLatin1Char(' ')))
                     .arg(p.exitCode())
                     .arg(QString::fromLocal8Bit(p.readAll()).trimmed());
        return false;
    }
    return true;
}

bool TlsServer::makeCertificates(QString *error)
{
    const QStringList ecKey {
        QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
        QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    const QStringList caExtensions {
        QStringLiteral("-addext"), QStringLiteral("basicConstraints=critical,CA:TRUE"),
        QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")};
    // Two self-signed CAs; the second signs nothing the server holds.
    for (const QString &name : {QStringLiteral("ca"), QStringLiteral("other-ca")}) {
        if (!openssl(QStringList {QStringLiteral("req"), QStringLiteral("-x509")} + ecKey
                         + QStringList {QStringLiteral("-keyout"), name + QStringLiteral(".key"),
                                        QStringLiteral("-out"), name + QStringLiteral(".crt"),
                                        QStringLiteral("-days"), QStringLiteral("2"),
                                        QStringLiteral("-subj"),
                                        QStringLiteral("/CN=Eventium test %1").arg(name)}
                         + caExtensions,
                     error))
            return false;
    }

    // The server's certificate, for localhost by name and by address, signed by the first CA.
    const QString serverDir = m_dir.filePath(QStringLiteral("server"));
    if (!QDir().mkpath(serverDir)) {
        *error = QStringLiteral("cannot create %1").arg(serverDir);
        return false;
    }
    QFile ext(m_dir.filePath(QStringLiteral("server.ext")));
    if (!ext.open(QIODevice::WriteOnly)
        || ext.write("basicConstraints = critical, CA:FALSE\n"
                     "keyUsage = critical, digitalSignature, keyEncipherment\n"
                     "extendedKeyUsage = serverAuth\n"
                     "subjectAltName = DNS:localhost, IP:127.0.0.1\n")
            < 0) {
        *error = QStringLiteral("cannot write %1").arg(ext.fileName());
        return false;
    }
    ext.close();
    if (!openssl(QStringList {QStringLiteral("req"), QStringLiteral("-new")} + ecKey
                     + QStringList {QStringLiteral("-keyout"), QStringLiteral("server/server.key"),
                                    QStringLiteral("-out"), QStringLiteral("server.csr"),
                                    QStringLiteral("-subj"), QStringLiteral("/CN=localhost")},
                 error)
        || !openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.crt"),
                     QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                     QStringLiteral("-CAcreateserial"), QStringLiteral("-CAserial"),
                     QStringLiteral("ca.srl"), QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), QStringLiteral("server.ext"),
                     QStringLiteral("-out"), QStringLiteral("server/server.crt")},
                    error))
        return false;

    // The key 0600, it and its directory owned by the server's user; the directory above only
    // passable (the CAs' keys stay the test's own).
    const QString key = serverDir + QStringLiteral("/server.key");
    const QString cert = serverDir + QStringLiteral("/server.crt");
    if (!setMode(m_dir.path(), 0711) || !setMode(serverDir, 0700) || !setMode(key, 0600)
        || !setMode(cert, 0644) || !giveToServerUser(serverDir) || !giveToServerUser(key)
        || !giveToServerUser(cert)) {
        *error = QStringLiteral("cannot hand %1 to the server's user").arg(serverDir);
        return false;
    }
    return true;
}

bool TlsServer::start(QString *error)
{
    if (m_server)
        return true;
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    if (!makeCertificates(error))
        return false;
    const QString serverDir = m_dir.filePath(QStringLiteral("server"));
    // A free port may be taken between looking and listening: try a few.
    for (int attempt = 0; attempt < 3; ++attempt) {
        EmbeddedPostgres::Settings settings = EmbeddedPostgres::temporarySettings();
        settings.tcpPort = freePort();
        settings.serverSettings << QStringLiteral("ssl = on")
                                << QStringLiteral("ssl_cert_file = %1")
                                       .arg(quoted(serverDir + QStringLiteral("/server.crt")))
                                << QStringLiteral("ssl_key_file = %1")
                                       .arg(quoted(serverDir + QStringLiteral("/server.key")));
        auto server = std::make_unique<EmbeddedPostgres>(settings);
        auto started = server->start();
        if (started) {
            m_server = std::move(server);
            return true;
        }
        *error = started.error().toString();
        if (!error->contains(QLatin1String("busy")))
            return false;
    }
    return false;
}

} // namespace eventium::test
