#pragma once

#include <eventium/connectionoptions.h>
#include <eventium/embeddedpostgres.h>

#include <QTemporaryDir>

#include <memory>

namespace eventium::test {

// A throw-away PostgreSQL that speaks TLS on 127.0.0.1, with certificates made for it by the
// `openssl` command line: a CA, a server certificate for "localhost" (subjectAltName
// DNS:localhost, IP:127.0.0.1) signed by it, and a second CA that signed nothing the server
// holds. The server takes plain TCP connections as well (sslmode=disable); TCP needs the
// `eventium` role's password (scram-sha-256), which options() carries.
class TlsServer
{
public:
    TlsServer();
    ~TlsServer();
    TlsServer(const TlsServer &) = delete;
    TlsServer &operator=(const TlsServer &) = delete;

    // Makes the certificates and starts the server; false with a message on error.
    bool start(QString *error);

    // The CA that signed the server's certificate, and one unrelated to it (PEM files).
    QString caFile() const;
    QString otherCaFile() const;
    int port() const;
    // host=localhost on the server's port, its database and role with the role's password,
    // and `sslmode`; `rootCert` as sslrootcert when not empty.
    ConnectionOptions options(const QString &sslmode, const QString &rootCert = {}) const;
    // The role's password (never display it).
    QString password() const;
    // Through the server's Unix socket, as its superuser, for checks beside the test.
    ConnectionOptions socketOptions() const;

private:
    bool openssl(const QStringList &arguments, QString *error) const;
    bool makeCertificates(QString *error);

    QTemporaryDir m_dir;
    std::unique_ptr<EmbeddedPostgres> m_server;
};

} // namespace eventium::test
