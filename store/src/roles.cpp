// Least privilege for other roles: readers and writers of a store's schema (migration 0007).
#include "eventium/roles.h"

#include "pg/rows.h"
#include "pg/sql.h"
#include "storeaccess.h"

#include <QLoggingCategory>

namespace eventium {

namespace {

// The schema version that makes append_events() and sequence_step() SECURITY DEFINER.
constexpr int kRolesSchemaVersion = 7;
constexpr int kMaxIdentifierBytes = 63; // NAMEDATALEN - 1: longer names are cut by the server

// The tables reads use (reads, follows, searches, stream info, stats, erasure records, where
// subscriptions stand).
const char *const kReadTables[] = {"streams",           "events",   "global_events", "sequencer",
                                   "schema_migrations", "erasures", "subscriptions"};

StoreError invalid(const QString &message)
{
    return StoreError(StoreError::Kind::InvalidInput, message);
}

Result<Done> checkRoleName(const QString &role)
{
    if (role.isEmpty())
        return invalid(QStringLiteral("a role name is needed"));
    if (role.toUtf8().size() > kMaxIdentifierBytes)
        return invalid(QStringLiteral("a role name has at most %1 bytes").arg(kMaxIdentifierBytes));
    for (const QChar c : role) {
        if (c.category() == QChar::Other_Control)
            return invalid(QStringLiteral("a role name cannot hold control characters"));
    }
    return Done {};
}

// A schema with migration 7.
Result<Done> checkSchemaVersion(Store &store)
{
    auto version = store.schemaVersion();
    if (!version)
        return version.error();
    if (version.value() < kRolesSchemaVersion)
        return StoreError(
            StoreError::Kind::Migration,
            version.value() == 0
                ? QStringLiteral("schema %1 does not exist (run migrate)").arg(store.schema())
                : QStringLiteral("schema %1 is at version %2; roles need version "
                                 "%3 (run migrate)")
                      .arg(store.schema())
                      .arg(version.value())
                      .arg(kRolesSchemaVersion));
    return Done {};
}

// What a grant or a revoke checks in its transaction: a schema that the calling role may
// manage, and a role that exists and does not own it.
Result<Done> checkPreconditions(Store &store, pg::Connection &c, const QString &role)
{
    auto r = c.exec(QStringLiteral("SELECT pg_has_role(current_user, n.nspowner, 'USAGE'), "
                                   "pg_get_userbyid(n.nspowner), "
                                   "(SELECT r.oid = n.nspowner OR r.rolsuper FROM pg_roles r "
                                   "  WHERE r.rolname = $2) "
                                   "FROM pg_namespace n WHERE n.nspname = $1"),
                    {pg::param(store.schema()), pg::param(role)}, QStringLiteral("roles"));
    if (!r)
        return StoreAccess::explain(store, r.error());
    if (r->rows() != 1)
        return StoreError(
            StoreError::Kind::Migration,
            QStringLiteral("schema %1 does not exist (run migrate)").arg(store.schema()));
    if (!r->boolean(0, 0))
        return StoreError(StoreError::Kind::Other,
                          QStringLiteral("only the owner of schema %1 (role %2) or a superuser "
                                         "can grant or revoke its privileges")
                              .arg(store.schema(), r->string(0, 1)));
    if (r->isNull(0, 2))
        return invalid(QStringLiteral("role \"%1\" does not exist").arg(role));
    if (r->boolean(0, 2))
        return invalid(QStringLiteral("role \"%1\" owns schema %2 or is a superuser: it has every "
                                      "privilege there already")
                           .arg(role, store.schema()));
    return Done {};
}

// The functions of the schema with these names, as GRANT names them: name(argument types).
Result<QStringList> functions(pg::Connection &c, Store &store, const QStringList &names,
                              bool mustBeDefiners)
{
    auto r = c.exec(QStringLiteral("SELECT p.oid::regprocedure::text, p.proname, p.prosecdef "
                                   "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                                   "WHERE n.nspname = $1 AND p.proname = ANY($2::text[]) "
                                   "ORDER BY 1"),
                    {pg::param(store.schema()), pg::textArray(names)}, QStringLiteral("roles"));
    if (!r)
        return StoreAccess::explain(store, r.error());
    QStringList out;
    QStringList found;
    for (int i = 0; i < r->rows(); ++i) {
        const QString name = r->string(i, 1);
        if (mustBeDefiners && !r->boolean(i, 2))
            return StoreError(
                StoreError::Kind::Migration,
                QStringLiteral("%1.%2() is not SECURITY DEFINER: a migration replaced it without "
                               "repeating the ALTER FUNCTION of migration 7")
                    .arg(store.schema(), name));
        out << r->string(i, 0);
        found << name;
    }
    for (const QString &name : names) {
        if (!found.contains(name))
            return StoreError(
                StoreError::Kind::Migration,
                QStringLiteral("schema %1 has no function %2()").arg(store.schema(), name));
    }
    return out;
}

// Takes every privilege on the schema's objects (and, with `usage`, on the schema) from the
// role; only what the calling role (or the owner, for a superuser) granted.
Result<Done> revokeAll(pg::Connection &c, const QString &schema, const QString &role, bool usage)
{
    QStringList statements {
        QStringLiteral("REVOKE ALL ON ALL TABLES IN SCHEMA %1 FROM %2"),
        QStringLiteral("REVOKE ALL ON ALL SEQUENCES IN SCHEMA %1 FROM %2"),
        QStringLiteral("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %1 FROM %2"),
    };
    if (usage)
        statements << QStringLiteral("REVOKE ALL ON SCHEMA %1 FROM %2");
    for (const QString &statement : statements) {
        if (auto r = c.script(statement.arg(schema, role), QStringLiteral("revoking privileges"));
            !r)
            return r.error();
    }
    return Done {};
}

} // namespace

std::optional<Roles::Kind> Roles::parseKind(const QString &text)
{
    if (text == QLatin1String("reader"))
        return Kind::Reader;
    if (text == QLatin1String("writer"))
        return Kind::Writer;
    return std::nullopt;
}

QString Roles::kindName(Kind kind)
{
    return kind == Kind::Reader ? QStringLiteral("reader") : QStringLiteral("writer");
}

Result<Done> Roles::grant(Store &store, Kind kind, const QString &role)
{
    if (auto ok = checkRoleName(role); !ok)
        return ok.error();
    if (auto ok = checkSchemaVersion(store); !ok)
        return ok.error();
    auto connection = StoreAccess::connect(store);
    if (!connection)
        return connection.error();
    pg::Connection &c = connection.value();
    pg::Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    if (auto ok = checkPreconditions(store, c, role); !ok)
        return ok.error();

    QStringList names {QStringLiteral("sequence_step")};
    if (kind == Kind::Writer)
        names << QStringLiteral("append_events") << QStringLiteral("lock_streams")
              << QStringLiteral("stream_lock_key");
    // The functions that write must run with their owner's rights, or a writer cannot append
    // (and a reader's steps fail).
    auto definers = functions(c, store,
                              kind == Kind::Writer ? QStringList {QStringLiteral("sequence_step"),
                                                                  QStringLiteral("append_events")}
                                                   : QStringList {QStringLiteral("sequence_step")},
                              true);
    if (!definers)
        return definers.error();
    auto executable = functions(c, store, names, false);
    if (!executable)
        return executable.error();

    const QString &schema = StoreAccess::schema(store);
    const QString grantee = pg::quoteIdent(role);
    if (auto r = revokeAll(c, schema, grantee, false); !r)
        return r.error();
    QStringList tables;
    for (const char *table : kReadTables)
        tables << schema + QLatin1Char('.') + pg::quoteIdent(QString::fromLatin1(table));
    QStringList statements {
        QStringLiteral("GRANT USAGE ON SCHEMA %1 TO %2").arg(schema, grantee),
        QStringLiteral("GRANT SELECT ON TABLE %1 TO %2")
            .arg(tables.join(QStringLiteral(", ")), grantee),
    };
    for (const QString &function : executable.value())
        statements << QStringLiteral("GRANT EXECUTE ON FUNCTION %1 TO %2").arg(function, grantee);
    for (const QString &statement : statements) {
        if (auto r = c.script(statement, QStringLiteral("granting privileges")); !r)
            return r.error();
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    qCInfo(lcStore).noquote() << QStringLiteral("role %1 is a %2 of schema %3")
                                     .arg(grantee, kindName(kind), store.schema());
    return Done {};
}

Result<Done> Roles::revoke(Store &store, const QString &role)
{
    if (auto ok = checkRoleName(role); !ok)
        return ok.error();
    if (auto ok = checkSchemaVersion(store); !ok)
        return ok.error();
    auto connection = StoreAccess::connect(store);
    if (!connection)
        return connection.error();
    pg::Connection &c = connection.value();
    pg::Transaction tx(c);
    if (auto r = tx.begin(); !r)
        return r.error();
    if (auto ok = checkPreconditions(store, c, role); !ok)
        return ok.error();
    if (auto r = revokeAll(c, StoreAccess::schema(store), pg::quoteIdent(role), true); !r)
        return r.error();
    if (auto r = tx.commit(); !r)
        return r.error();
    qCInfo(lcStore).noquote() << QStringLiteral("role %1 has no privileges in schema %2")
                                     .arg(pg::quoteIdent(role), store.schema());
    return Done {};
}

} // namespace eventium
