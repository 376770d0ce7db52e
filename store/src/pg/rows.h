#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

struct pg_result;

namespace eventium::pg {

// One libpq result (PGresult), freed on destruction: the rows of a statement as text values,
// or the error it ended with. The one row wrapper of the store's data-access layer (and of
// the benchmark's plain-libpq baselines).
class Rows
{
public:
    Rows() = default;
    explicit Rows(pg_result *result);

    // The statement succeeded (PGRES_COMMAND_OK or PGRES_TUPLES_OK).
    bool ok() const;
    int rows() const;
    int columns() const;
    bool isNull(int row, int column) const;
    const char *text(int row, int column) const;
    int length(int row, int column) const;
    qint64 int64(int row, int column) const;
    double float64(int row, int column) const;
    bool boolean(int row, int column) const; // 't' / 'f'
    QString string(int row, int column) const;
    QByteArray bytes(int row, int column) const;
    // Rows an INSERT, UPDATE or DELETE touched.
    qint64 affectedRows() const;

    // For a failed statement: the server's SQLSTATE, message and, for constraint
    // violations, the constraint's name (all empty when there is none).
    QString sqlState() const;
    QString errorMessage() const;
    QString constraintName() const;

    pg_result *get() const { return m_result.get(); }
    explicit operator bool() const { return m_result != nullptr; }

private:
    struct Deleter
    {
        void operator()(pg_result *r) const;
    };
    std::unique_ptr<pg_result, Deleter> m_result;
};

} // namespace eventium::pg
