// Big JSON never freezes the browser: the detail view's JSON pane formats big documents off
// the UI thread and shows a first part with "Show all", colours only the lines on screen, and
// opens its tree lazily; the append dialog indents a long pasted line as it comes in and
// checks big JSON off the UI thread. (The stall itself is measured by the benchmark's
// ui_stall scenario, not here.)
#include "appenddialog.h"
#include "jsonformatter.h"
#include "jsonhighlighter.h"
#include "jsonpane.h"
#include "jsontreemodel.h"
#include "storeworker.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace eventium::ui;

namespace {

constexpr int kTimeout = 30000;

// {"items": [{"sku": "A-0", "qty": 1, ...}, ...]} of about `bytes` bytes, on one line.
QByteArray bigArray(qsizetype bytes)
{
    QByteArray out("{\"items\": [");
    for (int i = 0; out.size() < bytes; ++i) {
        if (i > 0)
            out += ", ";
        out += QStringLiteral("{\"sku\": \"A-%1\", \"qty\": %2, \"note\": \"item %1\"}")
                   .arg(i)
                   .arg(i % 7 + 1)
                   .toUtf8();
    }
    return out + "]}";
}

} // namespace

class TestJsonPane : public QObject
{
    Q_OBJECT

private slots:
    void longLinesAreCutIntoPieces()
    {
        QCOMPARE(JsonFormatter::splitLongLines(QStringLiteral("ab\ncd"), 4),
                 QStringLiteral("ab\ncd"));
        QCOMPARE(JsonFormatter::splitLongLines(QStringLiteral("abcdefghij\nxy"), 4),
                 QStringLiteral("abcd\nefgh\nij\nxy"));
        QCOMPARE(JsonFormatter::splitLongLines(QStringLiteral("xy\nabcdefgh"), 4),
                 QStringLiteral("xy\nabcd\nefgh"));
        const DisplayJson d = DisplayJson::prepare("{\"s\": \"" + QByteArray(5000, 'q') + "\"}");
        for (const QString &line : d.text.split(QLatin1Char('\n')))
            QVERIFY(line.size() <= DisplayJson::kMaxLineChars);
        QVERIFY(d.complete());
        QCOMPARE(d.text.count(QLatin1Char('q')), 5000);
    }

    void aBigDocumentShowsItsFirstPartThenAll()
    {
        JsonPane pane(QStringLiteral("payload"));
        pane.resize(600, 400);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const QByteArray json = bigArray(2 * 1024 * 1024);
        pane.setJson(json);
        // Formatting runs off the UI thread: the pane says so and shows nothing yet.
        QVERIFY(pane.isBusy());
        QVERIFY(pane.statusLabel()->text().startsWith(QLatin1String("Formatting 2.0 MB")));
        QTRY_VERIFY_WITH_TIMEOUT(!pane.isBusy(), kTimeout);

        // The first part: whole lines, bounded, with the size and a "Show all" button.
        QVERIFY(pane.isPartial());
        const QString shown = pane.textEdit()->toPlainText();
        QVERIFY(shown.size() <= DisplayJson::kPreviewChars);
        QVERIFY(
            shown.startsWith(QLatin1String("{\n  \"items\": [\n    {\n      \"sku\": \"A-0\"")));
        QVERIFY(pane.showAllButton()->isVisible());
        QVERIFY2(pane.showAllButton()->text().contains(QLatin1String("2.0 MB")),
                 qPrintable(pane.showAllButton()->text()));
        const QString said = pane.statusLabel()->text();
        const int lines = int(JsonFormatter::pretty(json).count(QLatin1Char('\n'))) + 1;
        QVERIFY2(said.startsWith(QLatin1String("Showing the first %1 of ")
                                     .arg(QLocale().toString(DisplayJson::kPreviewLines)))
                     && said.endsWith(QLatin1String(" of %1 lines").arg(QLocale().toString(lines))),
                 qPrintable(said));

        // Show all: the rest goes in by slices; at the end the text is the whole document.
        QTest::mouseClick(pane.showAllButton(), Qt::LeftButton);
        QVERIFY(pane.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!pane.isBusy(), kTimeout);
        QVERIFY(!pane.isPartial());
        QVERIFY(!pane.showAllButton()->isVisible());
        QCOMPARE(pane.textEdit()->toPlainText(), JsonFormatter::pretty(json));
    }

    void onlyTheLinesOnScreenAreColoured()
    {
        JsonPane pane(QStringLiteral("payload"));
        pane.resize(600, 300);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.setJson(bigArray(200 * 1024));
        QTRY_VERIFY_WITH_TIMEOUT(!pane.isBusy(), kTimeout);
        pane.showAll();
        QTRY_VERIFY_WITH_TIMEOUT(!pane.isBusy(), kTimeout);
        QPlainTextEdit *text = pane.textEdit();
        const int lines = text->document()->blockCount();
        QVERIFY2(lines > 10000, qPrintable(QString::number(lines)));
        auto *highlighter = text->findChild<JsonHighlighter *>();
        QVERIFY(highlighter);
        QTest::qWait(50);
        const int atTop = highlighter->highlightedLines();
        QVERIFY2(atTop > 0 && atTop < 1000, qPrintable(QString::number(atTop)));

        // The last screen gets its colours when it is scrolled to, and not much else does.
        text->verticalScrollBar()->setValue(text->verticalScrollBar()->maximum());
        QTRY_VERIFY_WITH_TIMEOUT(text->document()->lastBlock().previous().userData() != nullptr,
                                 kTimeout);
        QVERIFY2(highlighter->highlightedLines() < atTop + 1000,
                 qPrintable(QString::number(highlighter->highlightedLines())));
        const QTextBlock middle = text->document()->findBlockByNumber(lines / 2);
        QVERIFY(middle.userData() == nullptr);
        QVERIFY(!text->document()->lastBlock().previous().layout()->formats().isEmpty());
    }

    void theTreeIsLoadedWhenShownAndCopiesValuesAndPaths()
    {
        JsonPane pane(QStringLiteral("payload"));
        pane.resize(600, 400);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.setJson(R"({"customer": {"id": 12345678901234567890, "first name": "Ann"}})");
        // Nothing is made for the tree until it is looked at.
        QCOMPARE(pane.treeModel()->rowCount(), 0);
        pane.tabs()->setCurrentWidget(pane.treeView());
        QCOMPARE(pane.treeModel()->rowCount(), 1);
        const QModelIndex root = pane.treeModel()->index(0, 0);
        QVERIFY(pane.treeView()->isExpanded(root)); // a small document opens at its top
        const QModelIndex customer = pane.treeModel()->index(0, 0, root);
        const QModelIndex id = pane.treeModel()->index(0, 0, customer);
        const QModelIndex name = pane.treeModel()->index(1, 0, customer);

        QString said;
        connect(&pane, &JsonPane::copied, this, [&said](const QString &what) { said = what; });
        pane.treeView()->setCurrentIndex(id);
        pane.treeView()->setFocus();
        QTest::keyClick(pane.treeView(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("12345678901234567890"));
        QVERIFY(said.contains(QLatin1String("$.customer.id")));
        pane.treeView()->setCurrentIndex(name);
        QTest::keyClick(pane.treeView(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("$.customer[\"first name\"]"));
        QTest::keyClick(pane.treeView(), Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("Ann"));
    }

    void aBigDocumentsTreeWaitsToBeOpened()
    {
        JsonPane pane(QStringLiteral("payload"));
        pane.resize(600, 400);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.tabs()->setCurrentWidget(pane.treeView());
        pane.setJson(bigArray(1024 * 1024));
        QTRY_VERIFY_WITH_TIMEOUT(!pane.isBusy(), kTimeout);
        QCOMPARE(pane.treeModel()->rowCount(), 1);
        QVERIFY(pane.treeModel()->isJson());
        const QModelIndex root = pane.treeModel()->index(0, 0);
        QVERIFY(!pane.treeView()->isExpanded(root));
        // At most the top-level value has been looked into (for its summary), not the array
        // of thousands of items inside it.
        QVERIFY(pane.treeModel()->scannedNodes() <= 1);
        pane.treeView()->expand(root);
        QCOMPARE(pane.treeModel()->rowCount(root), 1); // "items"
    }

    void aNewDocumentReplacesOneStillFormatting()
    {
        JsonPane pane(QStringLiteral("payload"));
        pane.setJson(bigArray(3 * 1024 * 1024));
        QVERIFY(pane.isBusy());
        pane.setJson(R"({"small": true})");
        QVERIFY(!pane.isBusy());
        QTest::qWait(3000); // the big one finishes meanwhile and must not land
        QCOMPARE(pane.textEdit()->toPlainText(), QStringLiteral("{\n  \"small\": true\n}"));
    }

    void pastingALongLineIndentsItWithoutBlocking()
    {
        StoreWorker worker;
        AppendDialog dialog(&worker, {}, QString());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.streamCombo()->setCurrentText(QStringLiteral("paste-1"));
        const QByteArray json = bigArray(1024 * 1024);
        QApplication::clipboard()->setText(QString::fromUtf8(json));
        dialog.payloadEdit()->selectAll();
        dialog.payloadEdit()->paste();
        // On its way in: read-only, Append disabled, the progress said.
        QVERIFY(dialog.payloadEdit()->isReadOnly());
        QVERIFY(!dialog.appendButton()->isEnabled());
        QVERIFY(dialog.payloadError()->text().startsWith(QLatin1String("Pasting 1.0 MB")));
        QVERIFY(!dialog.payloadError()->styleSheet().contains(QLatin1String("#c62828")));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.payloadEdit()->isReadOnly(), kTimeout);
        // Then checked off the UI thread, and accepted.
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isCheckingJson(), kTimeout);
        QVERIFY(dialog.appendButton()->isEnabled());
        QCOMPARE(dialog.payloadEdit()->toPlainText(), JsonFormatter::pretty(json));
    }

    void bigInvalidJsonIsFoundOffTheUiThread()
    {
        StoreWorker worker;
        AppendDialog dialog(&worker, {}, QString());
        dialog.streamCombo()->setCurrentText(QStringLiteral("big-1"));
        QString text = JsonFormatter::pretty(bigArray(200 * 1024));
        text.chop(1); // no closing brace
        dialog.payloadEdit()->setPlainText(text);
        QVERIFY(dialog.isCheckingJson());
        QVERIFY(!dialog.appendButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isCheckingJson(), kTimeout);
        QVERIFY(!dialog.appendButton()->isEnabled());
        QVERIFY2(dialog.payloadError()->text().contains(QLatin1String("line")),
                 qPrintable(dialog.payloadError()->text()));
        QVERIFY(dialog.payloadError()->styleSheet().contains(QLatin1String("#c62828")));
        dialog.payloadEdit()->setPlainText(text + QLatin1Char('}'));
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isCheckingJson(), kTimeout);
        QVERIFY(dialog.appendButton()->isEnabled());
    }
};

QTEST_MAIN(TestJsonPane)
#include "tst_jsonpane.moc"
