#pragma once

#include "pg/rows.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

struct pg_conn;

namespace bench {

// A plain libpq connection, used by the baselines: nothing between the program and the
// server but libpq itself.
class PgConnection
{
public:
    explicit PgConnection(const QString &conninfo);
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    bool isOk() const;
    QString errorMessage() const;
    // The error a failed statement ended with ("no result" when libpq gave none).
    static QString errorText(const eventium::pg::Rows &rows);

    // A simple-protocol statement (may hold several statements); false on failure.
    bool exec(const QString &sql, QString *error = nullptr);
    eventium::pg::Rows query(const QString &sql);
    bool prepare(const QByteArray &name, const QString &sql, QString *error = nullptr);
    // Text parameters; a null QByteArray is SQL NULL.
    eventium::pg::Rows execPrepared(const QByteArray &name, const QList<QByteArray> &params);
    eventium::pg::Rows execParams(const QString &sql, const QList<QByteArray> &params);

    // LISTEN/NOTIFY support.
    int socket() const;
    bool consumeInput();
    // Number of notifications taken off the connection.
    int drainNotifications();

    pg_conn *handle() const { return m_conn; }

private:
    pg_conn *m_conn = nullptr;
};

} // namespace bench
