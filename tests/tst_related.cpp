// Related events against a real PostgreSQL: a correlation's events in global order and the
// causation tree an event belongs to (Store::related, Store::readCorrelated), with both
// metadata spellings, odd causation ids, cycles, limits, events readers no longer see, and
// the indexes that serve them.
#include "support/require.h"
#include "support/storetestcase.h"
#include "support/testmain.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

using namespace eventium;

namespace {

NewEvent newEvent(const QString &type, const QJsonObject &metadata = {})
{
    NewEvent e;
    e.id = QUuid::createUuid();
    e.type = type;
    e.data = QByteArrayLiteral("{}");
    if (!metadata.isEmpty())
        e.metadata = QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    return e;
}

QJsonObject meta(const QString &correlation, const QUuid &cause = {})
{
    QJsonObject m {{QStringLiteral("correlationId"), correlation}};
    if (!cause.isNull())
        m.insert(QStringLiteral("causationId"), cause.toString(QUuid::WithoutBraces));
    return m;
}

QStringList typesOf(const QList<RecordedEvent> &events)
{
    QStringList out;
    for (const RecordedEvent &e : events)
        out << e.type;
    return out;
}

// "type@depth<parent type" for each node, in the order given.
QStringList shape(const QList<CausationNode> &nodes)
{
    QHash<QUuid, QString> types;
    for (const CausationNode &n : nodes)
        types.insert(n.event.id, n.event.type);
    QStringList out;
    for (const CausationNode &n : nodes)
        out << QStringLiteral("%1@%2<%3")
                   .arg(n.event.type)
                   .arg(n.depth)
                   .arg(n.parent.isNull() ? QStringLiteral("-") : types.value(n.parent, "?"));
    return out;
}

} // namespace

class TestRelated : public eventium::test::StoreTestCase
{
    Q_OBJECT

    void append(const QString &stream, const QList<NewEvent> &events)
    {
        REQUIRE_OK(store().append(StreamName(stream), ExpectedVersion::any(), events));
    }

    // Unrelated events around the related ones, so that the planner has a table worth an
    // index.
    void filler(int n)
    {
        QList<NewEvent> batch;
        for (int i = 0; i < n; ++i)
            batch << newEvent(QStringLiteral("Filler"),
                              meta(QStringLiteral("other-%1").arg(i % 50), QUuid::createUuid()));
        append(QStringLiteral("filler"), batch);
    }

    qint64 indexScans(const QString &index)
    {
        exec(QStringLiteral("SELECT pg_stat_clear_snapshot()"));
        return scalar(QStringLiteral("SELECT coalesce(sum(idx_scan), 0) FROM "
                                     "pg_stat_user_indexes WHERE schemaname = '%1' AND "
                                     "indexrelname = '%2'")
                          .arg(schema(), index));
    }

private slots:
    // Every event of the process, whatever its stream, in global order; the "$correlationId"
    // spelling counts; events of other correlations and without metadata do not.
    void correlatedEventsInGlobalOrder()
    {
        filler(200);
        append(QStringLiteral("order-1"), {newEvent(QStringLiteral("OrderPlaced"), meta("p-1"))});
        append(QStringLiteral("payment-1"),
               {newEvent(QStringLiteral("PaymentTaken"), meta("p-1")),
                newEvent(QStringLiteral("Noise"))});
        append(QStringLiteral("order-2"), {newEvent(QStringLiteral("OrderPlaced"), meta("p-2"))});
        append(QStringLiteral("shipment-1"),
               {newEvent(QStringLiteral("Shipped"),
                         QJsonObject {{QStringLiteral("$correlationId"), QStringLiteral("p-1")}})});
        append(QStringLiteral("order-1"), {newEvent(QStringLiteral("OrderClosed"), meta("p-1"))});
        REQUIRE_OK(store().sequenceNow());

        const CorrelatedEvents c = REQUIRE_OK(store().readCorrelated(QStringLiteral("p-1")));
        QCOMPARE(typesOf(c.events),
                 QStringList({"OrderPlaced", "PaymentTaken", "Shipped", "OrderClosed"}));
        QVERIFY(!c.more);
        for (qsizetype i = 1; i < c.events.size(); ++i)
            QVERIFY(c.events[i - 1].position < c.events[i].position);
        QCOMPARE(c.events.first().stream, QStringLiteral("order-1"));
        QCOMPARE(c.events.at(1).stream, QStringLiteral("payment-1"));

        // From any of its events: the same list, and the ids of the event asked about.
        const auto r = REQUIRE_OK(store().related(c.events.at(2).id));
        QVERIFY(r.has_value());
        QCOMPARE(r->correlationId, QStringLiteral("p-1"));
        QVERIFY(r->causationId.isEmpty());
        QCOMPARE(typesOf(r->correlated), typesOf(c.events));
        // Nothing caused it and it caused nothing: a tree of itself.
        QCOMPARE(r->causation.size(), 1);
        QCOMPARE(r->causation.first().event.id, c.events.at(2).id);
        QCOMPARE(r->causation.first().depth, 0);

        QCOMPARE(REQUIRE_OK(store().readCorrelated(QStringLiteral("p-3"))).events.size(), 0);
        // An event without metadata has no relations but itself.
        const auto noise = REQUIRE_OK(store().readStream(StreamName(QStringLiteral("payment-1")),
                                                         StreamVersion(2), Direction::Forward, 1));
        const auto alone = REQUIRE_OK(store().related(noise.first().id));
        QVERIFY(alone.has_value());
        QVERIFY(alone->correlationId.isEmpty());
        QCOMPARE(alone->correlated.size(), 0);
        QCOMPARE(alone->causation.size(), 1);
    }

    // Not yet numbered events come after the numbered ones, in the order they were written.
    void unnumberedEventsComeLast()
    {
        StoreSettings settings;
        settings.runSequencer = false;
        Store &s = replaceStore(settings);
        REQUIRE_OK(s.append(StreamName(QStringLiteral("a")), ExpectedVersion::any(),
                            {newEvent(QStringLiteral("First"), meta("p"))}));
        REQUIRE_OK(s.sequenceNow());
        REQUIRE_OK(s.append(StreamName(QStringLiteral("b")), ExpectedVersion::any(),
                            {newEvent(QStringLiteral("Second"), meta("p"))}));
        REQUIRE_OK(s.append(StreamName(QStringLiteral("a")), ExpectedVersion::any(),
                            {newEvent(QStringLiteral("Third"), meta("p"))}));
        const CorrelatedEvents c = REQUIRE_OK(s.readCorrelated(QStringLiteral("p")));
        QCOMPARE(typesOf(c.events), QStringList({"First", "Second", "Third"}));
        QVERIFY(c.events.at(0).position.value > 0);
        QCOMPARE(c.events.at(1).position.value, 0);
        QCOMPARE(c.events.at(2).position.value, 0);
    }

    // The tree from its root, depth first, children in the order they were written, from
    // whichever of its events it is asked; a causation id written with braces and capitals
    // (QUuid::toString()'s default) still names its event.
    void causationTreeFromAnyOfItsEvents()
    {
        filler(200);
        const NewEvent root = newEvent(QStringLiteral("Root"), meta("t"));
        const NewEvent a = newEvent(QStringLiteral("A"), meta("t", root.id));
        QJsonObject braced = meta("t");
        braced.insert(QStringLiteral("$causationId"), a.id.toString().toUpper());
        const NewEvent c = newEvent(QStringLiteral("C"), braced);
        const NewEvent b = newEvent(QStringLiteral("B"), meta("t", root.id));
        const NewEvent d = newEvent(QStringLiteral("D"), meta("t", c.id));
        append(QStringLiteral("one"), {root, a});
        append(QStringLiteral("two"), {c});
        append(QStringLiteral("one"), {b});
        append(QStringLiteral("three"), {d});
        REQUIRE_OK(store().sequenceNow());

        const QStringList expected {"Root@0<-", "A@1<Root", "C@2<A", "D@3<C", "B@1<Root"};
        for (const NewEvent &e : {root, a, b, c, d}) {
            const auto r = REQUIRE_OK(store().related(e.id));
            QVERIFY(r.has_value());
            QCOMPARE(shape(r->causation), expected);
            QVERIFY(!r->moreCausation);
            QCOMPARE(r->correlated.size(), 5);
        }
        const auto fromC = REQUIRE_OK(store().related(c.id));
        QCOMPARE(fromC->causationId, a.id.toString().toUpper());
        QCOMPARE(fromC->causation.at(2).event.stream, QStringLiteral("two"));
        QVERIFY(fromC->causation.at(2).event.position.value > 0);

        // A causation id that is no event's id (a command's, say) makes its event a root.
        QJsonObject byCommand = meta("t");
        byCommand.insert(QStringLiteral("causationId"), QStringLiteral("command-17"));
        const NewEvent e = newEvent(QStringLiteral("E"), byCommand);
        const NewEvent f = newEvent(QStringLiteral("F"), meta("t", e.id));
        append(QStringLiteral("four"), {e, f});
        const auto fromF = REQUIRE_OK(store().related(f.id));
        QCOMPARE(shape(fromF->causation), QStringList({"E@0<-", "F@1<E"}));
        QCOMPARE(fromF->correlated.size(), 7);
    }

    // A cycle (each names the other as its cause) is walked once, not forever.
    void causationCyclesEnd()
    {
        const NewEvent x = newEvent(QStringLiteral("X"));
        const NewEvent y = newEvent(QStringLiteral("Y"), meta("cycle", x.id));
        NewEvent xx = x;
        xx.metadata = QJsonDocument(meta("cycle", y.id)).toJson(QJsonDocument::Compact);
        append(QStringLiteral("cycle"), {xx, y});
        const auto r = REQUIRE_OK(store().related(y.id));
        QVERIFY(r.has_value());
        QCOMPARE(r->causation.size(), 2);
        QVERIFY(shape(r->causation) == QStringList({"X@0<-", "Y@1<X"})
                || shape(r->causation) == QStringList({"Y@0<-", "X@1<Y"}));
    }

    // Both lists stop at the limit and say there is more; the tree keeps the nodes nearest
    // its root.
    void limitsSayThereIsMore()
    {
        const NewEvent root = newEvent(QStringLiteral("Root"), meta("big"));
        QList<NewEvent> events {root};
        for (int i = 0; i < 4; ++i)
            events << newEvent(QStringLiteral("Child"), meta("big", root.id));
        const NewEvent grandchild
            = newEvent(QStringLiteral("Grandchild"), meta("big", events[1].id));
        events << grandchild;
        append(QStringLiteral("big"), events);

        const auto all = REQUIRE_OK(store().related(grandchild.id, 6));
        QCOMPARE(all->causation.size(), 6);
        QVERIFY(!all->moreCausation);
        QVERIFY(!all->moreCorrelated);

        const auto some = REQUIRE_OK(store().related(grandchild.id, 5));
        QVERIFY(some->moreCausation);
        QCOMPARE(shape(some->causation),
                 QStringList(
                     {"Root@0<-", "Child@1<Root", "Child@1<Root", "Child@1<Root", "Child@1<Root"}));
        QVERIFY(some->moreCorrelated);
        QCOMPARE(some->correlated.size(), 5);
        QCOMPARE(some->correlated.first().id, root.id);
        const CorrelatedEvents c = REQUIRE_OK(store().readCorrelated(QStringLiteral("big"), 2));
        QCOMPARE(c.events.size(), 2);
        QVERIFY(c.more);

        QCOMPARE(store().related(root.id, 0).error().kind(), StoreError::Kind::InvalidInput);
        QCOMPARE(store().related(root.id, 100001).error().kind(), StoreError::Kind::InvalidInput);
        QCOMPARE(store().readCorrelated(QString()).error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY(!REQUIRE_OK(store().related(QUuid::createUuid())).has_value());
    }

    // What readers no longer see is left out: what a truncated event caused hangs from its
    // nearest cause readers see; an erased event has no metadata, so no relations.
    void hiddenAndErasedEventsAreLeftOut()
    {
        const NewEvent root = newEvent(QStringLiteral("Root"), meta("h"));
        const NewEvent middle = newEvent(QStringLiteral("Middle"), meta("h", root.id));
        const NewEvent leaf = newEvent(QStringLiteral("Leaf"), meta("h", middle.id));
        append(QStringLiteral("keep"), {root});
        append(QStringLiteral("gone"), {middle, newEvent(QStringLiteral("Later"), meta("h"))});
        append(QStringLiteral("keep"), {leaf});
        REQUIRE_OK(store().truncate(StreamName(QStringLiteral("gone")), StreamVersion(2)));

        const auto r = REQUIRE_OK(store().related(leaf.id));
        QCOMPARE(shape(r->causation), QStringList({"Root@0<-", "Leaf@1<Root"}));
        QCOMPARE(typesOf(r->correlated), QStringList({"Root", "Later", "Leaf"}));
        QVERIFY(!REQUIRE_OK(store().related(middle.id)).has_value());

        REQUIRE_OK(store().erase(root.id));
        const auto afterErase = REQUIRE_OK(store().related(leaf.id));
        QCOMPARE(typesOf(afterErase->correlated), QStringList({"Later", "Leaf"}));
        // The erased root is still the tree's root: its id is not erased.
        QCOMPARE(shape(afterErase->causation), QStringList({"Root@0<-", "Leaf@1<Root"}));
        const auto ofRoot = REQUIRE_OK(store().related(root.id));
        QVERIFY(ofRoot->correlationId.isEmpty());
        QCOMPARE(ofRoot->causation.size(), 2);
    }

    // Served by the two indexes of migration 0009, not by a scan of the events.
    void servedByTheIndexes()
    {
        filler(3000);
        const NewEvent root = newEvent(QStringLiteral("Root"), meta("idx"));
        const NewEvent child = newEvent(QStringLiteral("Child"), meta("idx", root.id));
        append(QStringLiteral("indexed"), {root, child});
        exec(QStringLiteral("ANALYZE %1").arg(table(QStringLiteral("events"))));
        const qint64 correlationBefore = indexScans(QStringLiteral("events_correlation_idx"));
        const qint64 causationBefore = indexScans(QStringLiteral("events_causation_idx"));
        const auto r = REQUIRE_OK(store().related(child.id));
        QCOMPARE(r->correlated.size(), 2);
        QCOMPARE(r->causation.size(), 2);
        // A backend publishes its counters within 10 s of going idle (PGSTAT_IDLE_INTERVAL).
        QElapsedTimer waited;
        waited.start();
        while ((indexScans(QStringLiteral("events_correlation_idx")) <= correlationBefore
                || indexScans(QStringLiteral("events_causation_idx")) <= causationBefore)
               && waited.elapsed() < 20000)
            QThread::msleep(100);
        QVERIFY(indexScans(QStringLiteral("events_correlation_idx")) > correlationBefore);
        QVERIFY(indexScans(QStringLiteral("events_causation_idx")) > causationBefore);
    }
};

EVENTIUM_TEST_MAIN(TestRelated)
#include "tst_related.moc"
