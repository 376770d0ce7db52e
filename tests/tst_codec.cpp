// Typed access: codecs, typed streams, strong types.
#include "support/storetestcase.h"
#include "support/testmain.h"

#include <eventium/codec.h>

#include <QJsonObject>
#include <QTest>

using namespace eventium;

struct ItemAdded
{
    QString sku;
    int quantity = 0;
};

struct ItemRemoved
{
    QString sku;
};

template<> struct eventium::EventCodec<ItemAdded>
{
    static QString typeName() { return QStringLiteral("ItemAdded"); }
    static QJsonObject encode(const ItemAdded &e)
    {
        return {{"sku", e.sku}, {"quantity", e.quantity}};
    }
    static std::optional<ItemAdded> decode(const QJsonObject &o)
    {
        if (!o.value("sku").isString() || !o.value("quantity").isDouble())
            return std::nullopt;
        return ItemAdded {o.value("sku").toString(), o.value("quantity").toInt()};
    }
};

template<> struct eventium::EventCodec<ItemRemoved>
{
    static QString typeName() { return QStringLiteral("ItemRemoved"); }
    static QJsonObject encode(const ItemRemoved &e) { return {{"sku", e.sku}}; }
    static std::optional<ItemRemoved> decode(const QJsonObject &o)
    {
        if (!o.value("sku").isString())
            return std::nullopt;
        return ItemRemoved {o.value("sku").toString()};
    }
};

static_assert(CodedEvent<ItemAdded>);
static_assert(!std::is_convertible_v<qint64, StreamVersion>, "versions are not plain integers");
static_assert(!std::is_convertible_v<StreamVersion, GlobalPosition>, "versions are not positions");

class TestCodec : public eventium::test::StoreTestCase
{
    Q_OBJECT

private slots:
    void encodeDecode()
    {
        NewEvent e
            = encodeEvent(ItemAdded {QStringLiteral("A-1"), 3}, QJsonObject {{"user", "ann"}});
        QCOMPARE(e.type, QStringLiteral("ItemAdded"));
        RecordedEvent r;
        r.type = e.type;
        r.data = e.data;
        auto back = decodeEvent<ItemAdded>(r);
        QVERIFY(back.has_value());
        QCOMPARE(back->sku, QStringLiteral("A-1"));
        QCOMPARE(back->quantity, 3);
        QVERIFY(!decodeEvent<ItemRemoved>(r).has_value());
        r.data = "{\"sku\": 5}";
        QVERIFY(!decodeEvent<ItemAdded>(r).has_value());
        auto any = decodeAny<ItemRemoved, ItemAdded>(RecordedEvent {
            {}, {}, {}, {}, QStringLiteral("ItemRemoved"), "{\"sku\":\"B\"}", {}, {}, {}});
        QVERIFY(any.has_value());
        QVERIFY(std::holds_alternative<ItemRemoved>(*any));
    }

    void typedStreamRoundTrip()
    {
        TypedStream<ItemAdded, ItemRemoved> cart(store(), StreamName("cart-1"));
        auto r
            = cart.append(ExpectedVersion::noStream(),
                          {ItemAdded {QStringLiteral("A"), 1}, ItemAdded {QStringLiteral("B"), 2},
                           ItemRemoved {QStringLiteral("A")}},
                          QJsonObject {{"user", "ann"}});
        QVERIFY2(r && r->succeeded(), qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->lastVersion, StreamVersion(3));
        // An event of a type the stream's reader does not know is skipped.
        QVERIFY(store().append(StreamName("cart-1"), ExpectedVersion::exact(3),
                               {NewEvent {QStringLiteral("Audit"), "{}", {}, {}}}));
        auto events = cart.read();
        QVERIFY(events);
        QCOMPARE(events->size(), 3);
        QCOMPARE(events->at(1).version, StreamVersion(2));
        QCOMPARE(std::get<ItemAdded>(events->at(1).event).quantity, 2);
        QVERIFY(std::holds_alternative<ItemRemoved>(events->at(2).event));
        auto raw = store().readStream(StreamName("cart-1"), StreamVersion(1));
        QVERIFY(raw);
        QVERIFY(raw->at(0).metadata.contains("ann"));
        // A payload of a known type that does not decode is an error, not a silent skip.
        QVERIFY(
            store().append(StreamName("cart-1"), ExpectedVersion::any(),
                           {NewEvent {QStringLiteral("ItemAdded"), "{\"oops\": true}", {}, {}}}));
        auto broken = cart.read();
        QVERIFY(!broken);
        QCOMPARE(broken.error().kind(), StoreError::Kind::InvalidJson);
    }

    void streamNameValidation()
    {
        QVERIFY(StreamName::validate(QStringLiteral("ok-name")).isEmpty());
        QVERIFY(!StreamName::validate(QString()).isEmpty());
        QVERIFY(!StreamName::validate(QStringLiteral("tab\there")).isEmpty());
        QVERIFY(StreamName::validate(QStringLiteral("emoji 🎉")).isEmpty());
        QVERIFY(StreamName(QStringLiteral("a")) == StreamName(QStringLiteral("a")));
    }
};

EVENTIUM_TEST_MAIN(TestCodec)
#include "tst_codec.moc"
