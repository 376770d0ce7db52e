// Least privilege: readers read and follow, writers append through append_events() only.
#include "support/storetestcase.h"
#include "support/testdatabase.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/roles.h>
#include <eventium/store.h>

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace eventium;
using eventium::test::TestDatabase;

namespace {

constexpr char kInsufficientPrivilege[] = "42501";

StoreSettings ownerSettings()
{
    StoreSettings s;
    // Nothing numbers events behind the test's back: the roles' own steps must do it.
    s.runSequencer = false;
    return s;
}

QList<NewEvent> events(int n, const QString &type = QStringLiteral("Thing"))
{
    QList<NewEvent> out;
    for (int i = 0; i < n; ++i)
        out.append(NewEvent {type, QStringLiteral("{\"n\": %1}").arg(i).toUtf8(), {}, {}});
    return out;
}

} // namespace

class TestRoles : public eventium::test::StoreTestCase
{
    Q_OBJECT

public:
    TestRoles()
        : StoreTestCase(ownerSettings())
    {
    }

private:
    struct Login
    {
        QString role;
        ConnectionOptions options;
    };

    QString quoted(const QString &name)
    {
        return sql().driver()->escapeIdentifier(name, QSqlDriver::TableName);
    }
    QString quotedSchema() { return quoted(schema()); }

    // A new login role (with a quote and a space in its name, to prove it is quoted).
    Login createRole(const QString &prefix)
    {
        Login login;
        login.role = QStringLiteral("%1 \"%2\" %3")
                         .arg(prefix, QStringLiteral("q"),
                              QUuid::createUuid().toString(QUuid::Id128).left(12));
        const QString password = QString::number(QRandomGenerator::global()->generate64(), 36);
        exec(
            QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(quoted(login.role), password));
        m_roles << login.role;
        login.options = TestDatabase::options();
        login.options.user = login.role;
        login.options.password = password;
        return login;
    }

    std::unique_ptr<Store> storeAs(const Login &login)
    {
        StoreSettings s;
        s.schema = schema();
        s.runSequencer = false;
        return std::make_unique<Store>(login.options, s);
    }

    // Runs one statement as the role on a connection of its own: "" when it worked, else the
    // SQLSTATE.
    QString execAs(const Login &login, const QString &statement)
    {
        const QString name = QStringLiteral("as-%1").arg(QRandomGenerator::global()->generate());
        QString state = QStringLiteral("no connection");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            login.options.applyTo(db);
            if (db.open()) {
                QSqlQuery q(db);
                state = q.exec(statement) ? QString() : q.lastError().nativeErrorCode();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return state;
    }

    // Every way to change the events table directly is refused.
    void verifyNoDirectWrites(const Login &login)
    {
        const QString events = table(QStringLiteral("events"));
        const QStringList statements {
            QStringLiteral("INSERT INTO %1 (stream_id, version, event_id, type, data) "
                           "VALUES (1, 99, gen_random_uuid(), 'Forged', '{}')")
                .arg(events),
            QStringLiteral("UPDATE %1 SET data = '{\"forged\": true}'").arg(events),
            QStringLiteral("DELETE FROM %1").arg(events),
            QStringLiteral("TRUNCATE %1").arg(events),
            QStringLiteral("UPDATE %1 SET version = version + 1")
                .arg(table(QStringLiteral("streams"))),
            QStringLiteral("DELETE FROM %1").arg(table(QStringLiteral("global_events"))),
            QStringLiteral("UPDATE %1 SET last_position = 0")
                .arg(table(QStringLiteral("sequencer"))),
            QStringLiteral("SELECT * FROM %1.erase_event(gen_random_uuid(), 'x', 'y')")
                .arg(quotedSchema()),
        };
        for (const QString &statement : statements)
            QVERIFY2(execAs(login, statement) == QLatin1String(kInsufficientPrivilege),
                     qPrintable(statement + QStringLiteral(": ") + execAs(login, statement)));
    }

    QStringList m_roles;

private slots:
    void cleanup()
    {
        StoreTestCase::cleanup();
        for (const QString &role : std::as_const(m_roles)) {
            const QString q = QLatin1Char('"')
                + QString(role).replace(QLatin1Char('"'), QStringLiteral("\"\""))
                + QLatin1Char('"');
            QString error;
            QVERIFY2(TestDatabase::execAdmin(
                         QStringLiteral("DROP OWNED BY %1; DROP ROLE %1").arg(q), &error),
                     qPrintable(error));
        }
        m_roles.clear();
    }

    void migrationMakesTheWritersDefinersAndRevokesPublic()
    {
        auto fns = exec(
            QStringLiteral("SELECT p.proname, p.prosecdef, array_to_string(p.proconfig, ','), "
                           "has_function_privilege('public', p.oid, 'EXECUTE') "
                           "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                           "WHERE n.nspname = '%1' ORDER BY 1")
                .arg(schema()));
        // The functions that write run as their owner, with a search path callers cannot plant
        // objects in; none of them (nor any function of the schema made up to migration 7) is
        // executable by PUBLIC.
        const QStringList definers {QStringLiteral("append_events"),
                                    QStringLiteral("sequence_step")};
        const QStringList knownAtSeven {
            QStringLiteral("append_events"), QStringLiteral("sequence_step"),
            QStringLiteral("lock_streams"), QStringLiteral("stream_lock_key"),
            QStringLiteral("erase_event")};
        QStringList seen;
        while (fns.next()) {
            const QString name = fns.value(0).toString();
            const bool definer = fns.value(1).toBool();
            const bool isPublic = fns.value(3).toBool();
            seen << name;
            if (definers.contains(name))
                QVERIFY2(definer, qPrintable(name + QStringLiteral(" is not SECURITY DEFINER")));
            if (definer) {
                QCOMPARE(fns.value(2).toString(),
                         QStringLiteral("search_path=pg_catalog, pg_temp"));
                QVERIFY2(!isPublic, qPrintable(name + QStringLiteral(" is executable by PUBLIC")));
            }
            if (knownAtSeven.contains(name))
                QVERIFY2(!isPublic, qPrintable(name + QStringLiteral(" is executable by PUBLIC")));
        }
        for (const QString &name : knownAtSeven)
            QVERIFY2(seen.contains(name), qPrintable(name));

        // A role that sees the schema but was granted nothing cannot append through the
        // definer function.
        const Login nobody = createRole(QStringLiteral("nobody"));
        exec(QStringLiteral("GRANT USAGE ON SCHEMA %1 TO %2")
                 .arg(quotedSchema(), quoted(nobody.role)));
        auto r = storeAs(nobody)->append(StreamName("s"), ExpectedVersion::any(), events(1));
        QVERIFY(!r);
        QCOMPARE(r.error().sqlState(), QString::fromLatin1(kInsufficientPrivilege));
    }

    void readerReadsAndFollowsButCannotWrite()
    {
        QVERIFY(
            REQUIRE_OK(store().append(StreamName("acc-1"), ExpectedVersion::noStream(), events(3)))
                .succeeded());
        QVERIFY(
            REQUIRE_OK(store().append(StreamName("acc-2"), ExpectedVersion::noStream(), events(2)))
                .succeeded());

        const Login reader = createRole(QStringLiteral("reader"));
        REQUIRE_OK(Roles::grant(store(), Roles::Kind::Reader, reader.role));
        auto asReader = storeAs(reader);

        // Its own sequencer steps number what the writers left (no one else runs them here).
        QCOMPARE(REQUIRE_OK(asReader->sequenceNow()).value, 5);
        const auto stream = REQUIRE_OK(asReader->readStream(StreamName("acc-1"), StreamVersion(1)));
        QCOMPARE(stream.size(), 3);
        QCOMPARE(stream.last().version.value, 3);
        QVERIFY(stream.first().position.value > 0);
        const auto page = REQUIRE_OK(asReader->readAll(GlobalPosition(1), 100));
        QCOMPARE(page.events.size(), 5);
        const auto info = REQUIRE_OK(asReader->streamInfo(StreamName("acc-2")));
        QVERIFY(info.has_value());
        QCOMPARE(REQUIRE_OK(asReader->stats()).events, 5);
        QCOMPARE(REQUIRE_OK(asReader->schemaVersion()), Store::latestSchemaVersion());

        // The browser opens read-only for it (StoreWorker sets readOnly = !canAppend).
        const auto capabilities = REQUIRE_OK(asReader->capabilities());
        QVERIFY(!capabilities.canAppend);
        QVERIFY(!capabilities.readOnlyReason.isEmpty());

        // Follows: catch-up, then live; its follower numbers new events itself.
        QList<RecordedEvent> got;
        Follower::Settings fs;
        fs.schema = schema();
        Follower follower(reader.options, fs);
        connect(&follower, &Follower::eventsReceived, this,
                [&got](const QList<RecordedEvent> &batch) { got.append(batch); });
        follower.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 5, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(follower.isLive(), 15000);
        QVERIFY(
            REQUIRE_OK(store().append(StreamName("acc-1"), ExpectedVersion::exact(3), events(2)))
                .succeeded());
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 7, 15000);
        QCOMPARE(got.last().position.value, 7);
        QCOMPARE(got.last().stream, QStringLiteral("acc-1"));
        follower.stop();

        // Cannot append, through the store or the function.
        auto appended = asReader->append(StreamName("acc-1"), ExpectedVersion::any(), events(1));
        QVERIFY(!appended);
        QCOMPARE(appended.error().sqlState(), QString::fromLatin1(kInsufficientPrivilege));
        auto multiAppend = asReader->appendMulti(
            {StreamAppend {StreamName("acc-3"), ExpectedVersion::any(), events(1)}});
        QVERIFY(!multiAppend);
        QCOMPARE(multiAppend.error().sqlState(), QString::fromLatin1(kInsufficientPrivilege));
        verifyNoDirectWrites(reader);
        // Nor read what readers do not need.
        QCOMPARE(execAs(reader,
                        QStringLiteral("SELECT * FROM %1").arg(table(QStringLiteral("snapshots")))),
                 QString::fromLatin1(kInsufficientPrivilege));
        QCOMPARE(
            scalar(QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("events")))),
            7);
    }

    void writerAppendsOnlyThroughAppendEvents()
    {
        const Login writer = createRole(QStringLiteral("writer"));
        REQUIRE_OK(Roles::grant(store(), Roles::Kind::Writer, writer.role));
        auto asWriter = storeAs(writer);
        // The browser opens writable for it: appends go through append_events().
        QVERIFY(REQUIRE_OK(asWriter->capabilities()).canAppend);

        auto first = REQUIRE_OK(
            asWriter->append(StreamName("w-1"), ExpectedVersion::noStream(), events(3)));
        QVERIFY(first.succeeded());
        QCOMPARE(first.lastVersion.value, 3);
        // Expectations, conflicts and idempotent retries work as for the owner.
        auto conflict
            = REQUIRE_OK(asWriter->append(StreamName("w-1"), ExpectedVersion::exact(1), events(1)));
        QVERIFY(conflict.isConflict());
        QList<NewEvent> withIds = events(2);
        withIds[0].id = QUuid::createUuid();
        withIds[1].id = QUuid::createUuid();
        QVERIFY(REQUIRE_OK(asWriter->append(StreamName("w-2"), ExpectedVersion::any(), withIds))
                    .succeeded());
        auto retry
            = REQUIRE_OK(asWriter->append(StreamName("w-2"), ExpectedVersion::any(), withIds));
        QCOMPARE(retry.status, AppendResult::Status::AlreadyAppended);
        // Multi-stream appends (lock_streams()).
        auto multi = REQUIRE_OK(asWriter->appendMulti(
            {StreamAppend {StreamName("w-1"), ExpectedVersion::exact(3), events(1)},
             StreamAppend {StreamName("w-3"), ExpectedVersion::noStream(), events(2)}}));
        QVERIFY(multi.committed);
        // The sequencer step the store runs.
        QCOMPARE(REQUIRE_OK(asWriter->sequenceNow()).value, 8);
        const auto page = REQUIRE_OK(store().readAll(GlobalPosition(1), 100));
        QCOMPARE(page.events.size(), 8);
        QCOMPARE(REQUIRE_OK(asWriter->readStream(StreamName("w-1"), StreamVersion(1))).size(), 4);

        // No table is written directly.
        verifyNoDirectWrites(writer);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM %1 WHERE data @> '{\"forged\": true}'")
                            .arg(table(QStringLiteral("events")))),
                 0);
        QCOMPARE(
            scalar(QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("events")))),
            8);
    }

    void grantReplacesAndRevokeTakesEverything()
    {
        const Login role = createRole(QStringLiteral("changing"));
        REQUIRE_OK(Roles::grant(store(), Roles::Kind::Writer, role.role));
        QVERIFY(
            REQUIRE_OK(storeAs(role)->append(StreamName("c"), ExpectedVersion::any(), events(1)))
                .succeeded());
        // Granting reader to a writer leaves a reader.
        REQUIRE_OK(Roles::grant(store(), Roles::Kind::Reader, role.role));
        auto appended = storeAs(role)->append(StreamName("c"), ExpectedVersion::any(), events(1));
        QVERIFY(!appended);
        QCOMPARE(appended.error().sqlState(), QString::fromLatin1(kInsufficientPrivilege));
        QCOMPARE(REQUIRE_OK(storeAs(role)->readStream(StreamName("c"), StreamVersion(1))).size(),
                 1);
        // Revoked: nothing at all.
        REQUIRE_OK(Roles::revoke(store(), role.role));
        auto read = storeAs(role)->readStream(StreamName("c"), StreamVersion(1));
        QVERIFY(!read);
        QCOMPARE(read.error().sqlState(), QString::fromLatin1(kInsufficientPrivilege));
        QCOMPARE(
            scalar(QStringLiteral("SELECT count(*) FROM information_schema.role_table_grants "
                                  "WHERE table_schema = '%1' AND grantee = '%2'")
                       .arg(schema(),
                            QString(role.role).replace(QLatin1Char('\''), QStringLiteral("''")))),
            0);
    }

    void badRolesAreRefused()
    {
        auto missing = Roles::grant(store(), Roles::Kind::Reader, QStringLiteral("no-such-role-x"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY2(missing.error().message().contains(QLatin1String("does not exist")),
                 qPrintable(missing.error().message()));
        // A name made to break out of its quotes is only a name that does not exist.
        const QString injection
            = QStringLiteral("x\"; DROP TABLE %1; --").arg(table(QStringLiteral("events")));
        auto injected = Roles::grant(store(), Roles::Kind::Writer, injection);
        QVERIFY(!injected);
        QCOMPARE(injected.error().kind(), StoreError::Kind::InvalidInput);
        QCOMPARE(
            scalar(QStringLiteral("SELECT count(*) FROM %1").arg(table(QStringLiteral("events")))),
            0);
        for (const QString &bad :
             {QString(), QStringLiteral("a\nb"), QString(64, QLatin1Char('r'))}) {
            auto r = Roles::grant(store(), Roles::Kind::Reader, bad);
            QVERIFY(!r);
            QCOMPARE(r.error().kind(), StoreError::Kind::InvalidInput);
        }
        // The schema's owner keeps what it has.
        QSqlQuery who = exec(QStringLiteral("SELECT current_user"));
        QVERIFY(who.next());
        const QString owner = who.value(0).toString();
        QVERIFY(!owner.isEmpty());
        auto self = Roles::revoke(store(), owner);
        QVERIFY(!self);
        QCOMPARE(self.error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY(REQUIRE_OK(store().append(StreamName("still"), ExpectedVersion::any(), events(1)))
                    .succeeded());
        // A schema that does not exist.
        StoreSettings none = ownerSettings();
        none.schema = TestDatabase::uniqueSchema(QStringLiteral("missing"));
        Store missingSchema(TestDatabase::options(), none);
        auto noSchema = Roles::grant(missingSchema, Roles::Kind::Reader, QStringLiteral("x"));
        QVERIFY(!noSchema);
        QCOMPARE(noSchema.error().kind(), StoreError::Kind::Migration);
    }

    void kindNames()
    {
        QCOMPARE(Roles::parseKind(QStringLiteral("reader")), Roles::Kind::Reader);
        QCOMPARE(Roles::parseKind(QStringLiteral("writer")), Roles::Kind::Writer);
        QVERIFY(!Roles::parseKind(QStringLiteral("admin")));
        QCOMPARE(Roles::kindName(Roles::Kind::Writer), QStringLiteral("writer"));
    }
};

EVENTIUM_TEST_MAIN(TestRoles)
#include "tst_roles.moc"
