// Ctrl+G's dialog: what it reads as a number and as a time, what it says as you type, and that
// its title is never cut.
#include "jumpdialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTimeZone>

using namespace eventium::ui;

class TestJumpDialog : public QObject
{
    Q_OBJECT

private slots:
    void numbersAndTimes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("number");
        QTest::addColumn<QDateTime>("time");
        QTest::addColumn<bool>("error");
        const QDate today(2026, 11, 30);
        QTest::newRow("number") << "17" << qint64(17) << QDateTime() << false;
        QTest::newRow("spaces") << "  42 " << qint64(42) << QDateTime() << false;
        QTest::newRow("grouped") << QLocale().toString(qint64(1234567)) << qint64(1234567)
                                 << QDateTime() << false;
        QTest::newRow("zero") << "0" << qint64(0) << QDateTime() << true;
        QTest::newRow("negative") << "-3" << qint64(0) << QDateTime() << true;
        QTest::newRow("time of day")
            << "14:03" << qint64(0) << QDateTime(today, QTime(14, 3)) << false;
        QTest::newRow("seconds") << "9:05:07" << qint64(0) << QDateTime(today, QTime(9, 5, 7))
                                 << false;
        QTest::newRow("milliseconds")
            << "14:03:07.250" << qint64(0) << QDateTime(today, QTime(14, 3, 7, 250)) << false;
        QTest::newRow("date") << "2026-11-29" << qint64(0)
                              << QDateTime(QDate(2026, 11, 29), QTime(0, 0)) << false;
        QTest::newRow("date and time") << "2026-11-29 23:59" << qint64(0)
                                       << QDateTime(QDate(2026, 11, 29), QTime(23, 59)) << false;
        QTest::newRow("iso T") << "2026-11-29T23:59:58.5" << qint64(0)
                               << QDateTime(QDate(2026, 11, 29), QTime(23, 59, 58, 500)) << false;
        QTest::newRow("utc") << "2026-11-29T12:00:00Z" << qint64(0)
                             << QDateTime(QDate(2026, 11, 29), QTime(12, 0), QTimeZone::utc())
                             << false;
        QTest::newRow("offset") << "2026-11-29T13:00:00+01:00" << qint64(0)
                                << QDateTime(QDate(2026, 11, 29), QTime(12, 0), QTimeZone::utc())
                                << false;
        QTest::newRow("empty") << "" << qint64(0) << QDateTime() << false;
        QTest::newRow("words") << "yesterday" << qint64(0) << QDateTime() << true;
        QTest::newRow("bad time") << "25:61" << qint64(0) << QDateTime() << true;
        QTest::newRow("bad date") << "2026-02-30" << qint64(0) << QDateTime() << true;
    }

    void numbersAndTimes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, number);
        QFETCH(QDateTime, time);
        QFETCH(bool, error);
        const JumpTarget t = JumpTarget::parse(text, QDate(2026, 11, 30));
        QCOMPARE(t.number, number);
        QCOMPARE(t.time.isValid(), time.isValid());
        if (time.isValid())
            QCOMPARE(t.time.toMSecsSinceEpoch(), time.toMSecsSinceEpoch());
        QCOMPARE(!t.error.isEmpty(), error);
        QCOMPARE(t.isValid(), number > 0 || time.isValid());
    }

    void saysWhereItGoesAndRefusesWhatItCannotRead()
    {
        JumpDialog dialog(QStringLiteral("Jump to Position or Time"),
                          QStringLiteral("Global position (1 – 2,712,070), or a time:"),
                          QStringLiteral("position"));
        QPushButton *go = dialog.buttons()->button(QDialogButtonBox::Ok);
        QVERIFY(!go->isEnabled());
        dialog.edit()->setText(QStringLiteral("17"));
        QVERIFY(go->isEnabled());
        QCOMPARE(dialog.hint()->text(), QStringLiteral("Goes to position 17."));
        dialog.edit()->setText(QStringLiteral("2026-11-29 23:59"));
        QVERIFY(go->isEnabled());
        QVERIFY2(dialog.hint()->text().startsWith(
                     QStringLiteral("Goes to the first event at or after 2026-11-29 23:59:00")),
                 qPrintable(dialog.hint()->text()));
        dialog.edit()->setText(QStringLiteral("soon"));
        QVERIFY(!go->isEnabled());
        QVERIFY(dialog.hint()->text().startsWith(QStringLiteral("not a number or a time")));
    }

    void itsTitleIsNeverCut()
    {
        const QString title = QStringLiteral("Jump to Version or Time");
        JumpDialog dialog(title, QStringLiteral("Version of account-1 (1 – 10), or a time:"),
                          QStringLiteral("version"));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // Room for the title and a window manager's buttons beside it.
        QVERIFY(dialog.width() >= QFontMetrics(dialog.font()).horizontalAdvance(title) + 150);
    }
};

QTEST_MAIN(TestJumpDialog)
#include "tst_jumpdialog.moc"
