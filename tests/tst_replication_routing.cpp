// Reads and writes on two servers: a Store whose write connection is a primary and whose read
// connection (StoreSettings::readConnection) is a hot standby of it. Appends, migrations and the
// sequencer land on the primary; every call of the read API runs on the standby without an
// error there, and fails when the standby is gone while appends go on.
#include "support/replicaset.h"
#include "support/require.h"
#include "support/testmain.h"

#include <eventium/follower.h>
#include <eventium/store.h>

#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace eventium;
using eventium::test::ReplicaSet;

namespace {

NewEvent newEvent(const QString &type, const QByteArray &data, const QByteArray &metadata = {})
{
    NewEvent e;
    e.type = type;
    e.data = data;
    e.metadata = metadata;
    e.id = QUuid::createUuid();
    return e;
}

// The lines of a server log that report an ERROR (or worse), but for the one error the test
// asks for (a JSON path the server cannot read).
QStringList errorLines(const QString &logFile)
{
    QFile f(logFile);
    if (!f.open(QIODevice::ReadOnly))
        return {QStringLiteral("cannot read %1").arg(logFile)};
    QStringList out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if ((line.contains("ERROR:") || line.contains("PANIC:"))
            && !line.contains("syntax error at end of jsonpath input"))
            out << QString::fromUtf8(line);
    }
    return out;
}

} // namespace

class TestReplicationRouting : public QObject
{
    Q_OBJECT

private:
    void replay()
    {
        QString why;
        QVERIFY2(m_set->waitForReplay(&why), qPrintable(why));
    }

    std::unique_ptr<Store> routedStore(bool runSequencer = false)
    {
        StoreSettings s;
        s.schema = QStringLiteral("routing");
        s.runSequencer = runSequencer;
        s.poolSize = 4;
        s.acquireTimeout = std::chrono::milliseconds(5000);
        ConnectionOptions standby = m_set->standbyOptions();
        standby.connectTimeout = 5;
        s.readConnection = standby;
        return std::make_unique<Store>(m_set->primaryOptions(), s);
    }

    std::unique_ptr<ReplicaSet> m_set;
    std::unique_ptr<Store> m_store;
    QUuid m_opened, m_deposited, m_erased;

private slots:
    void initTestCase()
    {
        // Asynchronous: the primary's commits never wait for the standby, so the standby can
        // be stopped while appends go on.
        m_set = std::make_unique<ReplicaSet>(false);
        QString why;
        QVERIFY2(m_set->start(&why), qPrintable(why));
        m_store = routedStore();
    }

    void migrationsRunOnTheWriter()
    {
        QVERIFY(m_store->hasReadConnection());
        QCOMPARE(m_store->readConnectionOptions().host, m_set->standbyOptions().host);
        QCOMPARE(REQUIRE_OK(m_store->migrate()), Store::latestSchemaVersion());
        // Idempotent, and refused nowhere: the second run finds everything in place.
        QCOMPARE(REQUIRE_OK(m_store->migrate()), Store::latestSchemaVersion());
        QCOMPARE(REQUIRE_OK(m_store->schemaVersion()), Store::latestSchemaVersion());
        replay();
        QCOMPARE(REQUIRE_OK(m_store->schemaVersion(StoreConnection::Read)),
                 Store::latestSchemaVersion());
    }

    void roles()
    {
        const ReplicationStatus read = REQUIRE_OK(m_store->replication());
        QVERIFY(read.standby);
        QVERIFY(read.replayLag.has_value());
        QVERIFY(!REQUIRE_OK(m_store->replication(StoreConnection::Write)).standby);
        REQUIRE_OK(m_store->ping());
        REQUIRE_OK(m_store->ping(StoreConnection::Read));
        QVERIFY(REQUIRE_OK(m_store->capabilities()).canAppend);

        const ServerInfo standby = REQUIRE_OK(Store::testConnection(m_set->standbyOptions()));
        QVERIFY(standby.replication.standby);
        const ServerInfo primary = REQUIRE_OK(Store::testConnection(m_set->primaryOptions()));
        QVERIFY(!primary.replication.standby);
    }

    void appendsLandAndReadsSeeThemAfterReplay()
    {
        const QByteArray process = "{\"correlationId\": \"process-1\"}";
        m_opened = QUuid::createUuid();
        NewEvent opened
            = newEvent(QStringLiteral("AccountOpened"), "{\"owner\": \"Ann\"}", process);
        opened.id = m_opened;
        auto first = REQUIRE_OK(m_store->append(StreamName(QStringLiteral("account-1")),
                                                ExpectedVersion::noStream(), {opened}));
        QVERIFY(first.succeeded());
        NewEvent deposited
            = newEvent(QStringLiteral("Deposited"), "{\"amount\": 100}",
                       QByteArray("{\"correlationId\": \"process-1\", "
                                  "\"causationId\": \"")
                           + m_opened.toString(QUuid::WithoutBraces).toUtf8() + "\"}");
        m_deposited = deposited.id;
        NewEvent erased = newEvent(QStringLiteral("Deposited"), "{\"amount\": 7}");
        m_erased = erased.id;
        auto second = REQUIRE_OK(m_store->append(StreamName(QStringLiteral("account-1")),
                                                 ExpectedVersion::exact(1), {deposited, erased}));
        QVERIFY(second.succeeded());
        QList<StreamAppend> multi;
        multi.append(
            StreamAppend {StreamName(QStringLiteral("account-2")),
                          ExpectedVersion::any(),
                          {newEvent(QStringLiteral("AccountOpened"), "{\"owner\": \"Bo\"}")}});
        multi.append(
            StreamAppend {StreamName(QStringLiteral("transfer-1")),
                          ExpectedVersion::any(),
                          {newEvent(QStringLiteral("TransferStarted"), "{\"amount\": 5}")}});
        QVERIFY(REQUIRE_OK(m_store->appendMulti(multi)).committed);
        QCOMPARE(REQUIRE_OK(m_store->sequenceNow()).value, 5);
        QCOMPARE(REQUIRE_OK(m_store->erase(m_erased, QStringLiteral("test"))).status,
                 EraseResult::Status::Erased);
        replay();

        QCOMPARE(REQUIRE_OK(m_store->headPosition()).value, 5);
        auto events = REQUIRE_OK(
            m_store->readStream(StreamName(QStringLiteral("account-1")), StreamVersion(1)));
        QCOMPARE(events.size(), 3);
        QCOMPARE(events.at(0).id, m_opened);
        QVERIFY(events.at(2).isErased());
    }

    // Every call of the read API, on the standby.
    void everyRoutedCallRunsOnTheStandby()
    {
        const StreamName account(QStringLiteral("account-1"));
        QCOMPARE(REQUIRE_OK(m_store->readStream(account, StreamVersion::end(), Direction::Backward))
                     .size(),
                 3);
        GlobalFilter where;
        where.where = QStringLiteral("amount > 50");
        auto found = REQUIRE_OK(m_store->searchStream(account, StreamVersion(1), 10, where));
        QCOMPARE(found.events.size(), 1);
        QCOMPARE(found.events.first().id, m_deposited);

        auto all = REQUIRE_OK(m_store->readAll(GlobalPosition(1)));
        QCOMPARE(all.events.size(), 5);
        QCOMPARE(all.head.value, 5);
        QCOMPARE(REQUIRE_OK(m_store->readAllBackward()).events.size(), 5);
        // The filtered paths: types, a stream, a prefix, a substring, an expression, text.
        GlobalFilter types;
        types.types = {QStringLiteral("Deposited")};
        QCOMPARE(REQUIRE_OK(m_store->readAll(GlobalPosition(1), 10, types)).events.size(), 2);
        GlobalFilter one;
        one.stream = QStringLiteral("account-2");
        QCOMPARE(REQUIRE_OK(m_store->readAll(GlobalPosition(1), 10, one)).events.size(), 1);
        GlobalFilter prefix;
        prefix.streamPrefix = QStringLiteral("account-");
        QCOMPARE(REQUIRE_OK(m_store->readAll(GlobalPosition(1), 10, prefix)).events.size(), 4);
        GlobalFilter contains;
        contains.streamContains = QStringLiteral("transfer");
        QCOMPARE(REQUIRE_OK(m_store->readAll(GlobalPosition(1), 10, contains)).events.size(), 1);
        QCOMPARE(
            REQUIRE_OK(m_store->readAllBackward(GlobalPosition::end(), 10, where)).events.size(),
            1);
        GlobalFilter text;
        text.text = QStringLiteral("bo");
        QCOMPARE(REQUIRE_OK(m_store->readAll(GlobalPosition(1), 10, text)).events.size(), 1);
        GlobalFilter badPath;
        badPath.where = QStringLiteral("$.a ==");
        auto refused = m_store->readAll(GlobalPosition(100), 10, badPath);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind(), StoreError::Kind::InvalidInput);

        const QDateTime past = QDateTime::currentDateTimeUtc().addSecs(-3600);
        QCOMPARE(REQUIRE_OK(m_store->positionAt(past)).value_or(GlobalPosition(0)).value, 1);
        QCOMPARE(REQUIRE_OK(m_store->versionAt(account, past)).value_or(StreamVersion(0)).value, 1);
        ActivityQuery whole;
        QCOMPARE(REQUIRE_OK(m_store->activity(whole)).total(), 5);
        ActivityQuery ofStream;
        ofStream.stream = account.value();
        QCOMPARE(REQUIRE_OK(m_store->activity(ofStream)).total(), 3);

        auto read = REQUIRE_OK(m_store->readEvent(m_deposited));
        QVERIFY(read.has_value());
        QCOMPARE(read->stream, account.value());
        auto related = REQUIRE_OK(m_store->related(m_deposited));
        QVERIFY(related.has_value());
        QCOMPARE(related->correlated.size(), 2);
        QCOMPARE(related->causation.size(), 2);
        QCOMPARE(REQUIRE_OK(m_store->readCorrelated(QStringLiteral("process-1"))).events.size(), 2);
        auto erasure = REQUIRE_OK(m_store->erasure(m_erased));
        QVERIFY(erasure.has_value());
        QCOMPARE(erasure->by, QStringLiteral("test"));

        auto byName = REQUIRE_OK(m_store->listStreams());
        QCOMPARE(byName.streams.size(), 3);
        auto byRecency = REQUIRE_OK(m_store->listStreams({}, 2, StreamOrder::ByRecency));
        QCOMPARE(byRecency.streams.size(), 2);
        QVERIFY(byRecency.hasMore);
        auto info = REQUIRE_OK(m_store->streamInfo(account));
        QVERIFY(info.has_value());
        QCOMPARE(info->version.value, 3);
        auto stats = REQUIRE_OK(m_store->stats());
        QCOMPARE(stats.headPosition, 5);
        QCOMPARE(stats.streams, 3);
        QCOMPARE(REQUIRE_OK(m_store->eventTypes()),
                 QStringList({QStringLiteral("AccountOpened"), QStringLiteral("Deposited"),
                              QStringLiteral("TransferStarted")}));
    }

    // A stream deleted for good is StreamDeleted on the reader too; the life of streams runs on
    // the writer.
    void streamLifeOnTheWriter()
    {
        const StreamName gone(QStringLiteral("gone-1"));
        REQUIRE_OK(m_store->append(gone, ExpectedVersion::any(),
                                   {newEvent(QStringLiteral("Thing"), "{}")}));
        StreamMetadata metadata;
        metadata.maxCount = 10;
        QVERIFY(REQUIRE_OK(m_store->setStreamMetadata(gone, metadata)));
        QCOMPARE(REQUIRE_OK(m_store->deleteStream(gone, ExpectedVersion::any(), DeleteMode::Hard))
                     .status,
                 DeleteResult::Status::Deleted);
        REQUIRE_OK(m_store->sequenceNow());
        REQUIRE_OK(m_store->scavenge());
        replay();
        auto read = m_store->readStream(gone, StreamVersion(1));
        QVERIFY(!read);
        QCOMPARE(read.error().kind(), StoreError::Kind::StreamDeleted);
    }

    // A store that runs the sequencer thread, and a follower on the read connection: the
    // sequencer steps on the primary, the follower polls the standby.
    void sequencerAndFollower()
    {
        auto store = routedStore(true);
        Follower::Settings fs;
        fs.schema = QStringLiteral("routing");
        fs.from = GlobalPosition(REQUIRE_OK(store->headPosition()).value + 1);
        Follower follower(store->readConnectionOptions(), fs);
        QSignalSpy received(&follower, &Follower::eventsReceived);
        follower.start();
        REQUIRE_OK(store->append(StreamName(QStringLiteral("account-3")), ExpectedVersion::any(),
                                 {newEvent(QStringLiteral("AccountOpened"), "{}")}));
        QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 15000);
        QVERIFY(follower.isOnStandby());
        const auto events = received.first().first().value<QList<RecordedEvent>>();
        QCOMPARE(events.first().stream, QStringLiteral("account-3"));
    }

    // Nothing the store sent the standby failed there: no write, no lock, no session setting
    // in a read-only transaction.
    void noErrorOnTheStandby()
    {
        const QStringList errors = errorLines(m_set->standby().logFile());
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    }

    // The reads go to the standby: without it they fail, while appends and the sequencer go on
    // on the primary; when it is back they see what was written meanwhile.
    void withoutTheStandbyReadsFailAndAppendsGoOn()
    {
        QString why;
        QVERIFY2(m_set->stopStandby(&why), qPrintable(why));
        auto appended
            = m_store->append(StreamName(QStringLiteral("account-4")), ExpectedVersion::any(),
                              {newEvent(QStringLiteral("AccountOpened"), "{}")});
        QVERIFY2(appended, appended ? "" : qPrintable(appended.error().toString()));
        const qint64 head = REQUIRE_OK(m_store->sequenceNow()).value;
        QVERIFY(head >= 7);
        REQUIRE_OK(m_store->ping());
        auto read = m_store->readAll(GlobalPosition(1));
        QVERIFY(!read);
        QCOMPARE(read.error().kind(), StoreError::Kind::ConnectionLost);
        auto listed = m_store->listStreams();
        QVERIFY(!listed);
        QCOMPARE(listed.error().kind(), StoreError::Kind::ConnectionLost);
        QVERIFY(!m_store->ping(StoreConnection::Read));

        QVERIFY2(m_set->startStandby(&why), qPrintable(why));
        replay();
        QCOMPARE(REQUIRE_OK(m_store->headPosition()).value, head);
        auto info = REQUIRE_OK(m_store->streamInfo(StreamName(QStringLiteral("account-4"))));
        QVERIFY(info.has_value());
    }

    void cleanupTestCase()
    {
        m_store.reset();
        m_set.reset();
    }
};

EVENTIUM_TEST_MAIN(TestReplicationRouting)
#include "tst_replication_routing.moc"
