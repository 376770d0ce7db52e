// Versioned migrations: the numbered files of migrations/, compiled in as a Qt resource,
// applied in one transaction under an advisory lock.
#include "pg/sql.h"
#include "storeprivate.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

void eventiumInitMigrations()
{
    Q_INIT_RESOURCE(eventium_migrations);
}

namespace eventium {

namespace {

struct Migration
{
    int version;
    QString name;
    QString sql;
};

QList<Migration> loadMigrations()
{
    eventiumInitMigrations();
    QList<Migration> out;
    QDir dir(QStringLiteral(":/eventium/migrations"));
    static const QRegularExpression re(QStringLiteral("^(\\d+)_(.+)\\.sql$"));
    for (const QString &file : dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name)) {
        const auto m = re.match(file);
        if (!m.hasMatch())
            continue;
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        out.append({m.captured(1).toInt(), m.captured(2), QString::fromUtf8(f.readAll())});
    }
    std::sort(out.begin(), out.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return out;
}

} // namespace

int Store::latestSchemaVersion()
{
    const auto all = loadMigrations();
    return all.isEmpty() ? 0 : all.last().version;
}

Result<int> Store::migrate()
{
    if (QString why = validateSchemaName(d->settings.schema); !why.isEmpty())
        return invalidInput(why);
    const QList<Migration> migrations = loadMigrations();
    if (migrations.isEmpty())
        return StoreError(StoreError::Kind::Migration,
                          QStringLiteral("no migrations compiled into the library"));
    auto once = [&]() -> Result<int> {
        auto connection = d->connect();
        if (!connection)
            return connection.error();
        pg::Connection &c = connection.value();
        pg::Transaction tx(c);
        if (auto r = tx.begin(); !r)
            return r.error();
        if (auto r = c.exec(QStringLiteral("SELECT pg_advisory_xact_lock(hashtext($1))"),
                            {pg::param(QStringLiteral("eventium.migrate:") + d->settings.schema)},
                            QStringLiteral("migration lock"));
            !r)
            return r.error();
        if (auto r = c.script(QStringLiteral("CREATE SCHEMA IF NOT EXISTS %1; "
                                             "CREATE TABLE IF NOT EXISTS %1.schema_migrations "
                                             "(version int PRIMARY KEY, name text NOT NULL, "
                                             "applied_at timestamptz NOT NULL DEFAULT now())")
                                  .arg(d->s),
                              QStringLiteral("migration bookkeeping"));
            !r)
            return r.error();
        auto applied = c.exec(
            QStringLiteral("SELECT coalesce(max(version), 0) FROM %1.schema_migrations").arg(d->s),
            {}, QStringLiteral("migration bookkeeping"));
        if (!applied)
            return applied.error();
        const int current = int(applied->int64(0, 0));
        const int latest = migrations.last().version;
        if (current > latest)
            return StoreError(
                StoreError::Kind::Migration,
                QStringLiteral("schema %1 is at version %2, newer than this library knows (%3)")
                    .arg(d->settings.schema)
                    .arg(current)
                    .arg(latest));
        for (const Migration &m : migrations) {
            if (m.version <= current)
                continue;
            QString sql = m.sql;
            sql.replace(QStringLiteral("{{schema}}"), d->s);
            sql.replace(QStringLiteral("{{schema_name}}"), pg::quoteLiteral(d->settings.schema));
            sql.replace(QStringLiteral("{{channel}}"), pg::quoteLiteral(d->channel));
            const QString what = QStringLiteral("migration %1_%2").arg(m.version).arg(m.name);
            if (auto r = c.script(sql, what); !r)
                return StoreError(r.error().kind() == StoreError::Kind::ConnectionLost
                                      ? StoreError::Kind::ConnectionLost
                                      : StoreError::Kind::Migration,
                                  r.error().message(), r.error().sqlState());
            if (auto r
                = c.exec(QStringLiteral(
                             "INSERT INTO %1.schema_migrations (version, name) VALUES ($1, $2)")
                             .arg(d->s),
                         {pg::param(m.version), pg::param(m.name)},
                         QStringLiteral("recording migration"));
                !r)
                return r.error();
            qCInfo(lcStore).noquote()
                << "applied migration" << m.version << m.name << "to schema" << d->settings.schema;
        }
        if (auto r = tx.commit(); !r)
            return r.error();
        return latest;
    };
    auto migrated = once();
    pg::againIfSessionChanged(migrated, once);
    return migrated;
}

Result<int> Store::schemaVersion(StoreConnection on)
{
    return d->schemaVersion(on);
}

Result<int> Store::Private::schemaVersion(StoreConnection on)
{
    auto exists = readOn(on, QStringLiteral("SELECT to_regclass($1) IS NOT NULL"),
                         {pg::param(s + QStringLiteral(".schema_migrations"))},
                         QStringLiteral("schema version"));
    if (!exists)
        return exists.error();
    if (!exists->boolean(0, 0))
        return 0;
    auto version = readOn(
        on, QStringLiteral("SELECT coalesce(max(version), 0) FROM %1.schema_migrations").arg(s), {},
        QStringLiteral("schema version"));
    if (!version)
        return version.error();
    return int(version->int64(0, 0));
}

} // namespace eventium
