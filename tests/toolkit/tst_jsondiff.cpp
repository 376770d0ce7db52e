// Structural JSON diffs, and the previous event of the same type that the browser and the CLI
// compare an event with.
#include "toolkittest.h"

#include <eventium/toolkit/jsondiff.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace eventium;
using namespace eventium::toolkit;

namespace {

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().at(0);
}

QStringList describe(const QList<JsonChange> &changes)
{
    QStringList out;
    for (const JsonChange &c : changes) {
        const auto text = [](const QJsonValue &v) {
            return v.isUndefined()
                ? QStringLiteral("-")
                : QString::fromUtf8(QJsonDocument(QJsonArray {v}).toJson(QJsonDocument::Compact))
                      .mid(1)
                      .chopped(1);
        };
        out << QStringLiteral("%1 %2 %3 %4")
                   .arg(kindName(c.kind), c.path, text(c.before), text(c.after));
    }
    return out;
}

NewEvent typed(const QString &type, const QByteArray &data)
{
    NewEvent e;
    e.type = type;
    e.data = data;
    return e;
}

} // namespace

class TestJsonDiff : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    void membersElementsAndValues()
    {
        const QList<JsonChange> changes = jsonDiff(
            json("{\"amount\": 10, \"sku\": \"A\", \"tags\": [\"x\", \"y\"], \"old\": true, "
                 "\"addr\": {\"city\": \"Oslo\", \"zip\": \"0150\"}, \"odd key\": 1}"),
            json("{\"amount\": 12, \"sku\": \"A\", \"tags\": [\"x\", \"z\", \"w\"], \"addr\": "
                 "{\"city\": \"Oslo\", \"zip\": 150}, \"new\": null, \"odd key\": 2}"));
        QCOMPARE(describe(changes),
                 QStringList({QStringLiteral("changed $.addr.zip \"0150\" 150"),
                              QStringLiteral("changed $.amount 10 12"),
                              QStringLiteral("added $.new - null"),
                              QStringLiteral("changed $[\"odd key\"] 1 2"),
                              QStringLiteral("removed $.old true -"),
                              QStringLiteral("changed $.tags[1] \"y\" \"z\""),
                              QStringLiteral("added $.tags[2] - \"w\"")}));
        QVERIFY(
            jsonDiff(json("{\"a\": [1, {\"b\": 2}]}"), json("{\"a\": [1, {\"b\": 2}]}")).isEmpty());
        // A type change at the root, and arrays that shrink.
        QCOMPARE(
            describe(jsonDiff(json("[1, 2, 3]"), json("[1]"))),
            QStringList({QStringLiteral("removed $[1] 2 -"), QStringLiteral("removed $[2] 3 -")}));
        QCOMPARE(describe(jsonDiff(json("{\"a\": 1}"), json("[1]"))),
                 QStringList({QStringLiteral("changed $ {\"a\":1} [1]")}));
    }

    void textsAndBadInput()
    {
        auto changes = REQUIRE_OK(jsonDiff(QByteArray("{\"a\": \"\\\"q\\\\\"}"), QByteArray("{}")));
        QCOMPARE(describe(changes), QStringList({QStringLiteral("removed $.a \"\\\"q\\\\\" -")}));
        // Empty metadata is null.
        QCOMPARE(REQUIRE_OK(jsonDiff(QByteArray(), QByteArray("null"))).size(), 0);
        auto bad = jsonDiff(QByteArray("{}"), QByteArray("{\"a\":"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind(), StoreError::Kind::InvalidInput);
        QVERIFY2(bad.error().message().contains(QStringLiteral("second")),
                 qPrintable(bad.error().message()));
    }

    void previousOfTheSameType()
    {
        const StreamName stream("cmp-1");
        QList<NewEvent> events;
        events << typed(QStringLiteral("Priced"), "{\"price\": 1}");
        for (int i = 0; i < 1500; ++i)
            events << typed(QStringLiteral("Viewed"), "{\"n\": 0}");
        events << typed(QStringLiteral("Priced"), "{\"price\": 2}")
               << typed(QStringLiteral("Viewed"), "{\"n\": 1}");
        REQUIRE_OK(store().append(stream, ExpectedVersion::noStream(), events));
        auto all
            = REQUIRE_OK(store().readStream(stream, StreamVersion(1502), Direction::Forward, 2));
        QCOMPARE(all.size(), 2);
        // Across more than a page of other types.
        auto previous = REQUIRE_OK(previousOfType(store(), all[0]));
        QVERIFY(previous.has_value());
        QCOMPARE(previous->version, StreamVersion(1));
        QCOMPARE(describe(REQUIRE_OK(jsonDiff(previous->data, all[0].data))),
                 QStringList({QStringLiteral("changed $.price 1 2")}));
        previous = REQUIRE_OK(previousOfType(store(), all[1]));
        QVERIFY(previous.has_value());
        QCOMPARE(previous->version, StreamVersion(1501));
        // The first of its type has none; nor has it once the earlier one is truncated away.
        auto first
            = REQUIRE_OK(store().readStream(stream, StreamVersion(1), Direction::Forward, 1));
        QVERIFY(!REQUIRE_OK(previousOfType(store(), first.first())).has_value());
        REQUIRE_OK(store().truncate(stream, StreamVersion(2)));
        QVERIFY(!REQUIRE_OK(previousOfType(store(), all[0])).has_value());
    }
};

EVENTIUM_TEST_MAIN(TestJsonDiff)
#include "tst_jsondiff.moc"
