#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

struct pg_conn;
struct pg_result;

namespace bench {

// One PGresult, freed on destruction.
class PgResult
{
public:
    PgResult() = default;
    explicit PgResult(pg_result *result);
    bool ok() const; // PGRES_COMMAND_OK or PGRES_TUPLES_OK
    int rows() const;
    bool isNull(int row, int column) const;
    const char *text(int row, int column) const;
    int length(int row, int column) const;
    qint64 int64(int row, int column) const;
    QString error() const;
    QString sqlState() const;
    pg_result *get() const { return m_result.get(); }

private:
    struct Deleter
    {
        void operator()(pg_result *r) const;
    };
    std::unique_ptr<pg_result, Deleter> m_result;
};

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

    // A simple-protocol statement (may hold several statements); false on failure.
    bool exec(const QString &sql, QString *error = nullptr);
    PgResult query(const QString &sql);
    bool prepare(const QByteArray &name, const QString &sql, QString *error = nullptr);
    // Text parameters; a null QByteArray is SQL NULL.
    PgResult execPrepared(const QByteArray &name, const QList<QByteArray> &params);
    PgResult execParams(const QString &sql, const QList<QByteArray> &params);

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
