#pragma once

#include "eventium/result.h"

#include <QMap>
#include <QString>

class QSqlDatabase;

namespace eventium {

// Where and how to connect: parsed from a libpq keyword/value string
// ("host=db port=5432 dbname=app sslmode=require") or a URL
// ("postgres://user:secret@db:5432/app?sslmode=require"). Anything left unset is left to
// libpq, which reads the PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
// PGDATABASE, PGSSLMODE, PGCONNECT_TIMEOUT, PGAPPNAME, ...) and ~/.pgpass.
//
// Several servers for libpq to try in turn pass through as libpq reads them: `host=a,b
// port=5432,5433 target_session_attrs=read-write`, `hostaddr=...`, or a URL with
// `host1:p1,host2:p2`. `host` then holds the list, and a list of ports (one per host) is kept
// as libpq's `port` keyword in `extra` (with `port` 0).
class ConnectionOptions
{
public:
    static Result<ConnectionOptions> parse(const QString &text);

    QString host; // a name, an address, a Unix socket directory (starts with '/'), or a list
    int port = 0; // 0: libpq's default (or a list of ports in `extra`)
    QString dbname;
    QString user;
    QString password; // never logged or displayed
    QString sslmode;
    int connectTimeout = 0; // seconds; 0: libpq's default
    QString applicationName;
    QMap<QString, QString> extra; // other libpq keywords, passed through

    // Applies these options to a QPSQL connection (not opened).
    void applyTo(QSqlDatabase &db) const;
    // A keyword/value string with the password masked, for logs and status bars.
    QString toDisplayString() const;
    // The same without masking, for handing to libpq programs; never log it.
    QString toConnInfo() const;
    // host:port/db with the defaults libpq would use filled in from the environment.
    QString shortDescription() const;

    bool operator==(const ConnectionOptions &) const = default;

private:
    static Result<ConnectionOptions> parseUrl(const QString &text);
    static Result<ConnectionOptions> parseKeywords(const QString &text);
    Result<Done> set(const QString &key, const QString &value);
};

} // namespace eventium
