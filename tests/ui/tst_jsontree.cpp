// The JSON tree of the event detail view: structure, values shown exactly as stored, paths,
// children made only when asked for, and text that is not JSON, nested 10,000 deep or
// megabytes long.
#include "jsontreemodel.h"

#include <eventium/types.h>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QRandomGenerator>
#include <QTest>
#include <QTreeView>

using namespace eventium::ui;
using eventium::SearchExpression;

using Kind = JsonTreeModel::Kind;

namespace {

QString cell(const QModelIndex &index, int column, int role = Qt::DisplayRole)
{
    return index.siblingAtColumn(column).data(role).toString();
}

// The child of `parent` whose key column shows `key`.
QModelIndex child(const QModelIndex &parent, const QString &key)
{
    const QAbstractItemModel *model = parent.model();
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        if (index.data().toString() == key)
            return index;
    }
    return {};
}

QModelIndex child(const QModelIndex &parent, int row)
{
    return parent.model()->index(row, 0, parent);
}

// `count` objects of about 120 bytes each in one array.
QByteArray makeBigArray(int count)
{
    QByteArray json;
    json.reserve(qsizetype(count) * 130);
    json += '[';
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            json += ',';
        json += QStringLiteral("{\"id\":%1,\"sku\":\"SKU-%2\",\"name\":\"Item number %1 with a "
                               "description of its own\",\"price\":%1.10,\"tags\":[\"a\",\"b\"]}")
                    .arg(i)
                    .arg(i, 6, 10, QLatin1Char('0'))
                    .toUtf8();
    }
    json += ']';
    return json;
}

} // namespace

class TestJsonTree : public QObject
{
    Q_OBJECT

    // Walks every node of the model without recursion, checking that each cell's parent is
    // the row it hangs under and that the tooltip is the path; `nodes` counts the rows seen.
    static void walk(const JsonTreeModel &model, int *nodes)
    {
        *nodes = 0;
        QList<QModelIndex> parents {QModelIndex()};
        while (!parents.isEmpty()) {
            const QModelIndex parent = parents.takeLast();
            const int rows = model.rowCount(parent);
            QCOMPARE(model.hasChildren(parent), rows > 0);
            for (int row = 0; row < rows; ++row) {
                ++*nodes;
                for (int column = 0; column < model.columnCount(parent); ++column) {
                    const QModelIndex index = model.index(row, column, parent);
                    QVERIFY(index.isValid());
                    QCOMPARE(index.parent(), parent);
                    QCOMPARE(index.data(Qt::ToolTipRole).toString(),
                             model.isJson() ? model.pathAt(index) : model.errorString());
                    QVERIFY(index.data().isValid());
                    if (column > 0) {
                        QVERIFY(!model.hasChildren(index));
                        QCOMPARE(model.rowCount(index), 0);
                    }
                }
                const QModelIndex index = model.index(row, 0, parent);
                if (model.hasChildren(index))
                    parents += index;
            }
        }
    }

    static void verifyNotJson(const JsonTreeModel &model)
    {
        QVERIFY(!model.isJson());
        QVERIFY(!model.errorString().isEmpty());
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex row = model.index(0, 0);
        QCOMPARE(row.data().toString(), QStringLiteral("(not JSON)"));
        QCOMPARE(cell(row, JsonTreeModel::ValueColumn), model.errorString());
        QCOMPARE(cell(row, JsonTreeModel::ValueColumn, Qt::ToolTipRole), model.errorString());
        QVERIFY(!model.hasChildren(row));
        QCOMPARE(model.rowCount(row), 0);
        QVERIFY(!model.index(0, 0, row).isValid());
        QCOMPARE(model.kindAt(row), Kind::NotJson);
        QVERIFY(model.pathAt(row).isEmpty());
        QVERIFY(model.valueJsonAt(row).isEmpty());
    }

private slots:
    void anEmptyModelHasNoRows()
    {
        JsonTreeModel model;
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.hasChildren());
        QVERIFY(!model.index(0, 0).isValid());
        model.setJson("[1]");
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.nodeCount(), 0);
        QCOMPARE(model.headerData(JsonTreeModel::KeyColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Key"));
        QCOMPARE(model.headerData(JsonTreeModel::TypeColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Type"));
    }

    void childrenAreMadeWhenAskedFor()
    {
        JsonTreeModel model;
        model.setJson("{\"a\":{\"b\":[1,2,{\"c\":3}]},\"d\":[4],\"e\":{}}");
        QCOMPARE(model.nodeCount(), 1);
        QCOMPARE(model.scannedNodes(), 0);

        const QModelIndex root = model.index(0, 0);
        QVERIFY(model.hasChildren(root));
        QCOMPARE(root.data().toString(), QStringLiteral("(root)"));
        QCOMPARE(cell(root, JsonTreeModel::TypeColumn), QStringLiteral("object"));
        QCOMPARE(model.scannedNodes(), 0);

        QCOMPARE(model.rowCount(root), 3);
        QCOMPARE(model.scannedNodes(), 1);
        QCOMPARE(model.nodeCount(), 4);
        QCOMPARE(model.rowCount(root), 3); // found once
        QCOMPARE(model.scannedNodes(), 1);

        // Keys, types and whether there are children need no scan of the child.
        const QModelIndex a = model.index(0, 0, root);
        QCOMPARE(a.data().toString(), QStringLiteral("a"));
        QCOMPARE(cell(a, JsonTreeModel::TypeColumn), QStringLiteral("object"));
        QVERIFY(model.hasChildren(a));
        QVERIFY(!model.hasChildren(model.index(2, 0, root)));
        QCOMPARE(model.scannedNodes(), 1);
        QCOMPARE(model.nodeCount(), 4);

        // The value column's summary counts the children of that row only.
        QCOMPARE(cell(a, JsonTreeModel::ValueColumn), QStringLiteral("{1 key}"));
        QCOMPARE(model.scannedNodes(), 2);
        QCOMPARE(model.nodeCount(), 5);

        const QModelIndex b = model.index(0, 0, a);
        QCOMPARE(model.rowCount(b), 3);
        QCOMPARE(model.scannedNodes(), 3);
        QCOMPARE(model.nodeCount(), 8);
        QCOMPARE(cell(model.index(2, 0, b), JsonTreeModel::ValueColumn), QStringLiteral("{1 key}"));
        QCOMPARE(model.scannedNodes(), 4);

        // Setting a document starts over.
        model.setJson("[1,[2]]");
        QCOMPARE(model.scannedNodes(), 0);
        QCOMPARE(model.nodeCount(), 1);
    }

    void showsKeysIndicesValuesAndTypes()
    {
        JsonTreeModel model;
        model.setJson(R"( {"customer": {"id": 42, "name": "Ann", "vip": true, "fax": null},
                          "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}, false],
                          "total": 19.90 } )");
        QVERIFY(model.isJson());
        QVERIFY(model.errorString().isEmpty());
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(cell(root, JsonTreeModel::ValueColumn), QStringLiteral("{3 keys}"));
        QCOMPARE(model.kindAt(root), Kind::Object);

        const QModelIndex customer = child(root, QStringLiteral("customer"));
        QVERIFY(customer.isValid());
        QCOMPARE(customer.row(), 0);
        QCOMPARE(cell(customer, JsonTreeModel::ValueColumn), QStringLiteral("{4 keys}"));
        const QStringList keys {"id", "name", "vip", "fax"};
        const QStringList values {"42", "Ann", "true", "null"};
        const QStringList types {"number", "string", "boolean", "null"};
        QCOMPARE(model.rowCount(customer), 4);
        for (int row = 0; row < 4; ++row) {
            const QModelIndex index = child(customer, row);
            QCOMPARE(index.data().toString(), keys.at(row));
            QCOMPARE(cell(index, JsonTreeModel::ValueColumn), values.at(row));
            QCOMPARE(cell(index, JsonTreeModel::TypeColumn), types.at(row));
            QVERIFY(!model.hasChildren(index));
            QVERIFY(model.flags(index).testFlag(Qt::ItemNeverHasChildren));
        }

        const QModelIndex items = child(root, QStringLiteral("items"));
        QCOMPARE(cell(items, JsonTreeModel::ValueColumn), QStringLiteral("[3 items]"));
        QCOMPARE(cell(items, JsonTreeModel::TypeColumn), QStringLiteral("array"));
        QCOMPARE(model.rowCount(items), 3);
        QCOMPARE(child(items, 0).data().toString(), QStringLiteral("[0]"));
        QCOMPARE(child(items, 2).data().toString(), QStringLiteral("[2]"));
        QCOMPARE(cell(child(items, 2), JsonTreeModel::ValueColumn), QStringLiteral("false"));
        QCOMPARE(model.kindAt(child(items, 2)), Kind::False);
        const QModelIndex second = child(items, 1);
        QCOMPARE(cell(second, JsonTreeModel::ValueColumn), QStringLiteral("{2 keys}"));
        QCOMPARE(cell(child(second, QStringLiteral("sku")), JsonTreeModel::ValueColumn),
                 QStringLiteral("B-2"));
        QCOMPARE(child(second, 0).parent(), second);
        QCOMPARE(second.parent(), items);
        QCOMPARE(items.parent(), root);
        QVERIFY(!root.parent().isValid());

        QCOMPARE(cell(child(root, QStringLiteral("total")), JsonTreeModel::ValueColumn),
                 QStringLiteral("19.90"));
    }

    void numbersAreShownAsStored()
    {
        JsonTreeModel model;
        model.setJson(R"({"big":12345678901234567890,"dec":0.10,"negzero":-0.0,"exp":1.5E+300,
                         "tiny":1e-400,"long":123456789012345678901234567890.000000000000000001})");
        const QModelIndex root = model.index(0, 0);
        const QList<std::pair<QString, QString>> expected {
            {"big", "12345678901234567890"},
            {"dec", "0.10"},
            {"negzero", "-0.0"},
            {"exp", "1.5E+300"},
            {"tiny", "1e-400"},
            {"long", "123456789012345678901234567890.000000000000000001"},
        };
        QCOMPARE(model.rowCount(root), int(expected.size()));
        for (const auto &[key, value] : expected) {
            const QModelIndex index = child(root, key);
            QVERIFY2(index.isValid(), qPrintable(key));
            QCOMPARE(cell(index, JsonTreeModel::ValueColumn), value);
            QCOMPARE(cell(index, JsonTreeModel::TypeColumn), QStringLiteral("number"));
            QCOMPARE(model.valueJsonAt(index), value.toUtf8());
            QCOMPARE(model.valueTextAt(index), value);
        }
        model.setJson("  12345678901234567890 ");
        QCOMPARE(cell(model.index(0, 0), JsonTreeModel::ValueColumn),
                 QStringLiteral("12345678901234567890"));
    }

    void stringsAreDecoded()
    {
        JsonTreeModel model;
        model.setJson("{\"s\":\"a\\\"b\\u00e9\\n\",\"k\\ney\":\"x\",\"t\":\"tab\\there\","
                      "\"smile\":\"\\ud83d\\ude00 ok\",\"slash\":\"a\\/b\\\\c\","
                      "\"raw\":\"h\\u00e9llo w\xC3\xB6rld\",\"ctl\":\"\\u0001\\b\\f\\r\"}");
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.rowCount(root), 7);

        const QModelIndex s = child(root, QStringLiteral("s"));
        QCOMPARE(cell(s, JsonTreeModel::ValueColumn), QStringLiteral("a\"b\u00e9\\n"));
        QCOMPARE(cell(s, JsonTreeModel::TypeColumn), QStringLiteral("string"));
        QCOMPARE(model.valueTextAt(s), QStringLiteral("a\"b\u00e9\n"));
        QCOMPARE(model.valueJsonAt(s), QByteArray("\"a\\\"b\\u00e9\\n\""));

        // A key is decoded too; a control character in it is shown escaped.
        const QModelIndex key = child(root, 1);
        QCOMPARE(key.data().toString(), QStringLiteral("k\\ney"));
        QCOMPARE(cell(key, JsonTreeModel::ValueColumn), QStringLiteral("x"));

        QCOMPARE(cell(child(root, QStringLiteral("t")), JsonTreeModel::ValueColumn),
                 QStringLiteral("tab\\there"));
        QCOMPARE(model.valueTextAt(child(root, QStringLiteral("t"))), QStringLiteral("tab\there"));
        QCOMPARE(cell(child(root, QStringLiteral("smile")), JsonTreeModel::ValueColumn),
                 QString::fromUtf8("\xF0\x9F\x98\x80 ok"));
        QCOMPARE(cell(child(root, QStringLiteral("slash")), JsonTreeModel::ValueColumn),
                 QStringLiteral("a/b\\c"));
        QCOMPARE(cell(child(root, QStringLiteral("raw")), JsonTreeModel::ValueColumn),
                 QString::fromUtf8("h\xC3\xA9llo w\xC3\xB6rld"));
        QCOMPARE(cell(child(root, QStringLiteral("ctl")), JsonTreeModel::ValueColumn),
                 QStringLiteral("\\u0001\\b\\f\\r"));
        QCOMPARE(model.valueTextAt(child(root, QStringLiteral("ctl"))),
                 QStringLiteral("\u0001\b\f\r"));
    }

    void longValuesAreCut()
    {
        JsonTreeModel model;
        const QByteArray longKey(300, 'k');
        // An odd offset puts the cut in the middle of a surrogate pair.
        const QByteArray emoji = "a" + QByteArray("\xF0\x9F\x98\x80").repeated(150);
        model.setJson("{\"" + longKey + "\":\"" + QByteArray(300, 'v') + "\",\"e\":\"" + emoji
                      + "\",\"n\":" + QByteArray(250, '7') + ",\"exact\":\"" + QByteArray(200, 'x')
                      + "\"}");
        const QModelIndex root = model.index(0, 0);
        const QModelIndex first = child(root, 0);
        const QString shownKey = first.data().toString();
        QCOMPARE(shownKey, QString(200, QLatin1Char('k')) + QChar(0x2026));
        QCOMPARE(cell(first, JsonTreeModel::ValueColumn),
                 QString(200, QLatin1Char('v')) + QChar(0x2026));
        QCOMPARE(model.valueTextAt(first), QString(300, QLatin1Char('v')));
        // Never cut between the halves of a surrogate pair.
        const QString shownEmoji
            = cell(child(root, QStringLiteral("e")), JsonTreeModel::ValueColumn);
        QCOMPARE(shownEmoji, QString::fromUtf8(emoji).left(199) + QChar(0x2026));
        QVERIFY(!shownEmoji.at(shownEmoji.size() - 2).isHighSurrogate());
        QCOMPARE(cell(child(root, QStringLiteral("n")), JsonTreeModel::ValueColumn),
                 QString(200, QLatin1Char('7')) + QChar(0x2026));
        QCOMPARE(model.valueTextAt(child(root, QStringLiteral("n"))),
                 QString(250, QLatin1Char('7')));
        QCOMPARE(cell(child(root, QStringLiteral("exact")), JsonTreeModel::ValueColumn),
                 QString(200, QLatin1Char('x')));

        // Bytes that are not UTF-8 are shown as replacement characters, cut all the same.
        model.setJson("[\"" + QByteArray(100000, '\x80') + "\",\"\xE2\x82\\n\xFF\"]");
        const QString shownBad = cell(child(model.index(0, 0), 0), JsonTreeModel::ValueColumn);
        QVERIFY(shownBad.size() <= JsonTreeModel::maxDisplayChars + 1);
        QVERIFY(shownBad.endsWith(QChar(0x2026)));
        QVERIFY(!model.valueTextAt(child(model.index(0, 0), 0)).isEmpty());
        QVERIFY(cell(child(model.index(0, 0), 1), JsonTreeModel::ValueColumn)
                    .contains(QLatin1String("\\n")));
    }

    void pathsNameEachNode()
    {
        JsonTreeModel model;
        model.setJson(
            "{\"customer\":{\"id\":7,\"first name\":\"Ann\"},\"items\":[{},{},{},{\"sku\":\"X\"}],"
            "\"a\\\"b\":1,\"\":2,\"1abc\":3,\"_ok9\":4,\"\\u00fcmlaut\":5,\"a.b\":6}");
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.pathAt(root), QStringLiteral("$"));
        QCOMPARE(root.data(Qt::ToolTipRole).toString(), QStringLiteral("$"));

        const QModelIndex customer = child(root, QStringLiteral("customer"));
        QCOMPARE(model.pathAt(customer), QStringLiteral("$.customer"));
        QCOMPARE(model.pathAt(child(customer, QStringLiteral("id"))),
                 QStringLiteral("$.customer.id"));
        QCOMPARE(model.pathAt(child(customer, QStringLiteral("first name"))),
                 QStringLiteral("$.customer[\"first name\"]"));
        const QModelIndex sku = child(child(child(root, QStringLiteral("items")), 3), 0);
        QCOMPARE(model.pathAt(sku), QStringLiteral("$.items[3].sku"));
        // Every cell of a row tells its path.
        for (int column = 0; column < JsonTreeModel::ColumnCount; ++column)
            QCOMPARE(cell(sku, column, Qt::ToolTipRole), QStringLiteral("$.items[3].sku"));
        QCOMPARE(model.pathAt(child(root, 2)), QStringLiteral("$[\"a\\\"b\"]"));
        QCOMPARE(model.pathAt(child(root, 3)), QStringLiteral("$[\"\"]"));
        QCOMPARE(model.pathAt(child(root, 4)), QStringLiteral("$[\"1abc\"]"));
        QCOMPARE(model.pathAt(child(root, 5)), QStringLiteral("$._ok9"));
        QCOMPARE(model.pathAt(child(root, 6)), QStringLiteral("$[\"\u00fcmlaut\"]"));
        QCOMPARE(model.pathAt(child(root, 7)), QStringLiteral("$[\"a.b\"]"));

        model.setJson("[[1,[2,{\"k\\n\":3}]]]");
        const QModelIndex deep = child(child(child(child(model.index(0, 0), 0), 1), 1), 0);
        QCOMPARE(model.pathAt(deep), QStringLiteral("$[0][1][1][\"k\\n\"]"));
    }

    // A scalar's search is where it is: member paths as containment, paths through arrays as
    // a JSON path over any element; the Where box (SearchExpression) reads each one back.
    void searchExpressionsFindAValueWhereItIs()
    {
        JsonTreeModel model;
        model.setJson("{\"customer\":{\"id\":7,\"first name\":\"Ann\"},\"items\":[{},{\"sku\":"
                      "\"A-1\"}],\"a\\\"b\":1.50,\"ok\":true,\"none\":null}");
        const QModelIndex root = model.index(0, 0);
        const QModelIndex customer = child(root, QStringLiteral("customer"));
        const QModelIndex sku = child(child(child(root, QStringLiteral("items")), 1), 0);
        const QList<std::tuple<QModelIndex, QString, SearchExpression::Kind, QByteArray>> cases {
            {child(customer, QStringLiteral("id")), QStringLiteral("customer.id = 7"),
             SearchExpression::Kind::Containment, "{\"customer\":{\"id\":7}}"},
            {child(customer, QStringLiteral("first name")),
             QStringLiteral("customer.\"first name\" = \"Ann\""),
             SearchExpression::Kind::Containment, "{\"customer\":{\"first name\":\"Ann\"}}"},
            {child(root, 2),
             QStringLiteral("\"a\\\"b\" = 1.50"),
             SearchExpression::Kind::Containment,
             {}},
            {child(root, QStringLiteral("ok")), QStringLiteral("ok = true"),
             SearchExpression::Kind::Containment, "{\"ok\":true}"},
            {child(root, QStringLiteral("none")), QStringLiteral("none = null"),
             SearchExpression::Kind::Containment, "{\"none\":null}"},
            {sku, QStringLiteral("$.items[*].sku == \"A-1\""), SearchExpression::Kind::JsonPath,
             "$.items[*].sku == \"A-1\""},
        };
        for (const auto &[index, expected, kind, text] : cases) {
            QVERIFY(index.isValid());
            const QString expression = model.searchExpressionAt(index);
            QCOMPARE(expression, expected);
            QString error;
            const auto parsed = SearchExpression::parse(expression, &error);
            QVERIFY2(parsed, qPrintable(expression + QLatin1String(": ") + error));
            QCOMPARE(parsed->kind, kind);
            if (!text.isEmpty())
                QCOMPARE(parsed->text, text);
        }
        // Containers, the document itself and a document that is not JSON have none.
        QVERIFY(model.searchExpressionAt(root).isEmpty());
        QVERIFY(model.searchExpressionAt(customer).isEmpty());
        QVERIFY(model.searchExpressionAt({}).isEmpty());
        model.setJson("42");
        QVERIFY(model.searchExpressionAt(model.index(0, 0)).isEmpty());
        model.setJson("{oops");
        QVERIFY(model.searchExpressionAt(model.index(0, 0)).isEmpty());
    }

    void valueJsonAndValueText()
    {
        JsonTreeModel model;
        const QByteArray object
            = "{\"n\": 0.10 , \"s\":\"x\\ty\", \"o\": {\"k\" : [1, 2]} , \"t\":true, \"z\":null}";
        model.setJson(" \n\t" + object + " \r\n");
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.valueJsonAt(root), object);
        QCOMPARE(model.valueTextAt(root), QString::fromUtf8(object));
        const QList<std::tuple<QString, QByteArray, QString>> expected {
            {"n", "0.10", "0.10"},
            {"s", "\"x\\ty\"", "x\ty"},
            {"o", "{\"k\" : [1, 2]}", "{\"k\" : [1, 2]}"},
            {"t", "true", "true"},
            {"z", "null", "null"},
        };
        for (const auto &[key, json, text] : expected) {
            const QModelIndex index = child(root, key);
            QVERIFY2(index.isValid(), qPrintable(key));
            QCOMPARE(model.valueJsonAt(index), json);
            QCOMPARE(model.valueTextAt(index), text);
            // Any cell of the row will do.
            QCOMPARE(model.valueJsonAt(index.siblingAtColumn(2)), json);
        }
        const QModelIndex k = child(child(root, QStringLiteral("o")), 0);
        QCOMPARE(model.valueJsonAt(k), QByteArray("[1, 2]"));
        QCOMPARE(model.valueJsonAt(child(k, 1)), QByteArray("2"));
        QVERIFY(model.valueJsonAt({}).isNull());
        QVERIFY(model.valueTextAt({}).isNull());
    }

    void emptyContainersHaveNoChildren()
    {
        JsonTreeModel model;
        model.setJson("{\"o\":{},\"a\":[],\"ws\":[ \n ],\"wo\":{   }}");
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.rowCount(root), 4);
        const QStringList shown {"{}", "[]", "[]", "{}"};
        for (int row = 0; row < 4; ++row) {
            const QModelIndex index = child(root, row);
            QVERIFY(!model.hasChildren(index));
            QCOMPARE(model.rowCount(index), 0);
            QVERIFY(!model.index(0, 0, index).isValid());
            QCOMPARE(cell(index, JsonTreeModel::ValueColumn), shown.at(row));
        }
        for (const QByteArray &json : {QByteArray("{}"), QByteArray(" [ ] ")}) {
            model.setJson(json);
            const QModelIndex top = model.index(0, 0);
            QVERIFY(model.hasChildren());
            QVERIFY(!model.hasChildren(top));
            QCOMPARE(model.rowCount(top), 0);
            QCOMPARE(model.valueJsonAt(top), json.trimmed());
        }
    }

    void textThatIsNotJsonSaysSo_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("blank") << QByteArray(" \n ");
        QTest::newRow("garbage") << QByteArray("garbage");
        QTest::newRow("open object") << QByteArray("{");
        QTest::newRow("open array") << QByteArray("[1,2");
        QTest::newRow("missing value") << QByteArray("{\"a\":}");
        QTest::newRow("missing colon") << QByteArray("{\"a\" 1}");
        QTest::newRow("unquoted key") << QByteArray("{a:1}");
        QTest::newRow("trailing comma") << QByteArray("[1,]");
        QTest::newRow("trailing comma in object") << QByteArray("{\"a\":1,}");
        QTest::newRow("truncated literal") << QByteArray("tru");
        QTest::newRow("wrong literal") << QByteArray("nul1");
        QTest::newRow("leading zero") << QByteArray("01");
        QTest::newRow("bare minus") << QByteArray("-");
        QTest::newRow("no fraction") << QByteArray("1.");
        QTest::newRow("no exponent") << QByteArray("[1e]");
        QTest::newRow("unterminated string") << QByteArray("{\"a\":\"abc");
        QTest::newRow("escape at end") << QByteArray("\"abc\\");
        QTest::newRow("bad escape") << QByteArray("\"a\\x\"");
        QTest::newRow("short unicode escape") << QByteArray("\"a\\u12\"");
        QTest::newRow("raw control character") << QByteArray("\"tab\there\"");
        QTest::newRow("text after the value") << QByteArray("[1] x");
        QTest::newRow("two values") << QByteArray("{} {}");
        QTest::newRow("extra close") << QByteArray("{\"a\":1}}");
        QTest::newRow("mismatched close") << QByteArray("[1}");
        QTest::newRow("close only") << QByteArray("]");
        QTest::newRow("nul byte") << QByteArray("[1,\0 2]", 7);
        QTest::newRow("truncated big array") << makeBigArray(100).left(5000);
        QTest::newRow("deep and unclosed") << QByteArray(10000, '[');
        QTest::newRow("deep with a wrong close")
            << QByteArray(10000, '[') + QByteArray(9999, ']') + '}';
    }

    void textThatIsNotJsonSaysSo()
    {
        QFETCH(QByteArray, json);
        JsonTreeModel model;
        model.setJson(json);
        verifyNotJson(model);
    }

    // Every cut of a document and random damage to it: either JSON or a "(not JSON)" row, and
    // when it is JSON, every node of it can be walked.
    void anyTextIsSafe()
    {
        const QByteArray document = "{\"a\":[1,-2.5e3,\"x\\\"y\\\\\",{\"b\":null,\"c\":[true,false,"
                                    "[]]}],\"d\\u00e9\":{},\"e\":\"\\ud83d\\ude00\"}";
        JsonTreeModel model;
        for (qsizetype cut = 0; cut <= document.size(); ++cut) {
            model.setJson(document.left(cut));
            QCOMPARE(model.rowCount(), 1);
            if (cut < document.size()) {
                verifyNotJson(model);
                if (QTest::currentTestFailed())
                    return;
            }
        }
        int nodes = 0;
        walk(model, &nodes);
        QCOMPARE(nodes, 13);

        QRandomGenerator random(20240501);
        const QByteArray noise = "{}[]\",:\\ 0-eE.tfnu\x01\xC3";
        for (int round = 0; round < 3000; ++round) {
            QByteArray damaged = document;
            for (int change = 0; change < 3; ++change) {
                const auto at = qsizetype(random.bounded(int(damaged.size())));
                damaged[at] = noise.at(random.bounded(int(noise.size())));
            }
            model.setJson(damaged);
            QCOMPARE(model.rowCount(), 1);
            if (model.isJson())
                walk(model, &nodes);
            else
                verifyNotJson(model);
            if (QTest::currentTestFailed())
                return;
        }
    }

    void deepNestingIsSafe()
    {
        constexpr int depth = 10000;
        JsonTreeModel model;
        model.setJson(QByteArray(depth, '[') + "1" + QByteArray(depth, ']'));
        QVERIFY(model.isJson());
        QModelIndex index = model.index(0, 0);
        QCOMPARE(cell(index, JsonTreeModel::ValueColumn), QStringLiteral("[1 item]"));
        for (int level = 1; level <= 5; ++level) {
            QCOMPARE(model.rowCount(index), 1);
            index = child(index, 0);
            QCOMPARE(index.data().toString(), QStringLiteral("[0]"));
            QCOMPARE(cell(index, JsonTreeModel::TypeColumn), QStringLiteral("array"));
        }
        QCOMPARE(model.pathAt(index), QStringLiteral("$[0][0][0][0][0]"));
        QCOMPARE(model.valueJsonAt(index),
                 QByteArray(depth - 5, '[') + "1" + QByteArray(depth - 5, ']'));
        // All the way down, one level at a time.
        for (int level = 6; level < depth; ++level)
            index = child(index, 0);
        QCOMPARE(cell(index, JsonTreeModel::ValueColumn), QStringLiteral("[1 item]"));
        const QModelIndex leaf = child(index, 0);
        QCOMPARE(cell(leaf, JsonTreeModel::ValueColumn), QStringLiteral("1"));
        QCOMPARE(model.pathAt(leaf).size(), 1 + 3 * depth);
        QCOMPARE(model.scannedNodes(), depth);

        QByteArray objects;
        for (int level = 0; level < depth; ++level)
            objects += "{\"a\":";
        objects += "\"bottom\"" + QByteArray(depth, '}');
        model.setJson(objects);
        QVERIFY(model.isJson());
        index = model.index(0, 0);
        for (int level = 1; level <= 3; ++level)
            index = child(index, QStringLiteral("a"));
        QCOMPARE(model.pathAt(index), QStringLiteral("$.a.a.a"));
        QCOMPARE(cell(index, JsonTreeModel::ValueColumn), QStringLiteral("{1 key}"));
    }

    void aBigArrayExpandsAtOnce()
    {
        constexpr int count = 52000;
        const QByteArray json = makeBigArray(count);
        QVERIFY2(json.size() >= 6'000'000, qPrintable(QString::number(json.size())));
        JsonTreeModel model;
        model.setJson(json);
        QCOMPARE(model.nodeCount(), 1);
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.rowCount(root), count);
        QCOMPARE(model.scannedNodes(), 1);
        QCOMPARE(model.nodeCount(), count + 1);
        QCOMPARE(cell(root, JsonTreeModel::ValueColumn), QStringLiteral("[52000 items]"));

        for (const int row : {count - 2, count - 1}) {
            const QModelIndex item = model.index(row, 0, root);
            QCOMPARE(item.data().toString(), QStringLiteral("[%1]").arg(row));
            QCOMPARE(cell(item, JsonTreeModel::ValueColumn), QStringLiteral("{5 keys}"));
            QCOMPARE(model.rowCount(item), 5);
            QCOMPARE(cell(child(item, QStringLiteral("id")), JsonTreeModel::ValueColumn),
                     QString::number(row));
            const QModelIndex sku = child(item, QStringLiteral("sku"));
            QCOMPARE(cell(sku, JsonTreeModel::ValueColumn), QStringLiteral("SKU-0%1").arg(row));
            QCOMPARE(model.pathAt(sku), QStringLiteral("$[%1].sku").arg(row));
            QCOMPARE(model.valueJsonAt(child(item, QStringLiteral("price"))),
                     QStringLiteral("%1.10").arg(row).toUtf8());
        }
        // Only the rows looked at were scanned.
        QCOMPARE(model.scannedNodes(), 3);
    }

    // A tree view expanding the big array asks for the rows it shows, not for all of them.
    void aViewScansOnlyTheRowsItShows()
    {
        JsonTreeModel model;
        model.setJson(makeBigArray(52000));
        QTreeView view;
        view.setModel(&model);
        view.resize(800, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.expand(model.index(0, 0));
        QTest::qWait(50);
        view.scrollTo(model.index(30000, 0, model.index(0, 0)));
        QTest::qWait(50);
        QCOMPARE(model.rowCount(model.index(0, 0)), 52000);
        QVERIFY2(model.scannedNodes() < 200, qPrintable(QString::number(model.scannedNodes())));
    }

    void hugeString()
    {
        constexpr qsizetype size = 20 * 1024 * 1024;
        QByteArray json;
        json.reserve(size + 64);
        json += "{\"blob\":\"\\u00e9\\nab";
        json += QByteArray(size, 'x');
        json += "\",\"after\":1}";
        JsonTreeModel model;
        model.setJson(json);
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(cell(root, JsonTreeModel::ValueColumn), QStringLiteral("{2 keys}"));
        const QModelIndex blob = child(root, QStringLiteral("blob"));
        const QString shown = cell(blob, JsonTreeModel::ValueColumn);
        QVERIFY(shown.size() <= JsonTreeModel::maxDisplayChars + 1);
        QCOMPARE(shown,
                 QStringLiteral("\u00e9\\nab") + QString(195, QLatin1Char('x')) + QChar(0x2026));
        const QString text = model.valueTextAt(blob);
        QCOMPARE(text.size(), size + 4);
        QVERIFY(text.startsWith(QStringLiteral("\u00e9\nabx")));
        QCOMPARE(model.valueJsonAt(blob).size(), size + 12);
        QCOMPARE(cell(child(root, QStringLiteral("after")), JsonTreeModel::ValueColumn),
                 QStringLiteral("1"));
    }

    void theModelIsConsistent()
    {
        JsonTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setJson("{\"a\":{\"b\":[1,2,{\"c\":[3,[4,{\"d\":null}]]}],\"e\":\"\"},\"f\":[[],{}],"
                      "\"g\":\"h\",\"i\":[true,false,0.10,12345678901234567890]}");
        int nodes = 0;
        walk(model, &nodes);
        QCOMPARE(nodes, 22);
        model.setJson("not json");
        walk(model, &nodes);
        QCOMPARE(nodes, 1);
        model.setJson("[[[[[[[[[[[[[[1]]]]]]]]]]]]]]");
        walk(model, &nodes);
        QCOMPARE(nodes, 15);
        model.clear();
        walk(model, &nodes);
        QCOMPARE(nodes, 0);
    }
};

QTEST_MAIN(TestJsonTree)
#include "tst_jsontree.moc"
