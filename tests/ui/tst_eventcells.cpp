// The cells of the event tables (live view and stream view): what a row shows before and
// after its event is loaded, and the headers.
#include "eventcells.h"

#include <QApplication>
#include <QBrush>
#include <QPalette>
#include <QTest>

using namespace eventium;
using namespace eventium::ui;

class TestEventCells : public QObject
{
    Q_OBJECT

    static RecordedEvent sample()
    {
        RecordedEvent e;
        e.stream = QStringLiteral("order-7");
        e.version = StreamVersion(3);
        e.position = GlobalPosition(41);
        e.type = QStringLiteral("ItemAdded");
        e.id = QUuid::fromString(QStringLiteral("0190c1a2-0000-7000-8000-000000000001"));
        e.created = QDateTime(QDate(2026, 11, 30), QTime(14, 3, 0)); // local time, as shown
        return e;
    }

private slots:
    void aLoadedRowShowsItsEvent()
    {
        const RecordedEvent e = sample();
        for (EventField key : {EventField::Position, EventField::Version}) {
            const qint64 keyValue = key == EventField::Position ? 41 : 3;
            QCOMPARE(
                eventCell(EventField::Position, Qt::DisplayRole, &e, key, keyValue).toLongLong(),
                41);
            QCOMPARE(
                eventCell(EventField::Version, Qt::DisplayRole, &e, key, keyValue).toLongLong(), 3);
            QCOMPARE(eventCell(EventField::Stream, Qt::DisplayRole, &e, key, keyValue).toString(),
                     e.stream);
            QCOMPARE(eventCell(EventField::Type, Qt::DisplayRole, &e, key, keyValue).toString(),
                     e.type);
            QVERIFY(eventCell(EventField::Time, Qt::DisplayRole, &e, key, keyValue)
                        .toString()
                        .contains(QLatin1String("14:03")));
            QVERIFY(!eventCell(EventField::Type, Qt::ForegroundRole, &e, key, keyValue).isValid());
        }
        const QString tip
            = eventCell(EventField::Type, Qt::ToolTipRole, &e, EventField::Version, 3).toString();
        QVERIFY2(tip.contains(QLatin1String("order-7 #3"))
                     && tip.contains(QLatin1String("0190c1a2-0000-7000-8000-000000000001")),
                 qPrintable(tip));
    }

    void timesShowTheDateUnlessItIsToday()
    {
        const QDateTime t(QDate(2026, 11, 30), QTime(14, 3, 7, 250)); // local time
        // Event tables: today to the millisecond; another day with its date.
        QCOMPARE(tableTime(t, QDate(2026, 11, 30)), QStringLiteral("14:03:07.250"));
        QCOMPARE(tableTime(t, QDate(2026, 12, 1)), QStringLiteral("2026-11-30 14:03:07"));
        // The streams list: today's time, another day's date.
        QCOMPARE(listTime(t, QDate(2026, 11, 30)), QStringLiteral("14:03:07"));
        QCOMPARE(listTime(t, QDate(2027, 11, 30)), QStringLiteral("2026-11-30"));
        QVERIFY(tableTime(QDateTime()).isEmpty());
        QVERIFY(listTime(QDateTime()).isEmpty());
        // The tooltip gives the whole time, whatever the day.
        RecordedEvent e = sample();
        e.created = t;
        const QString tip
            = eventCell(EventField::Time, Qt::ToolTipRole, &e, EventField::Version, 3).toString();
        QVERIFY2(tip.contains(QLatin1String("2026-11-30 14:03:07.250")), qPrintable(tip));
    }

    void anUnloadedRowSaysWhenTheServerIsUnreachable()
    {
        QCOMPARE(
            eventCell(EventField::Type, Qt::DisplayRole, nullptr, EventField::Position, 7, true)
                .toString(),
            QStringLiteral("not loaded: server unreachable"));
        QCOMPARE(
            eventCell(EventField::Position, Qt::DisplayRole, nullptr, EventField::Position, 7, true)
                .toLongLong(),
            7);
        // A loaded row shows its event either way.
        const RecordedEvent e = sample();
        QCOMPARE(eventCell(EventField::Type, Qt::DisplayRole, &e, EventField::Position, 41, true)
                     .toString(),
                 e.type);
    }

    void anErasedEventSaysSo()
    {
        RecordedEvent e = sample();
        e.erased = QDateTime(QDate(2026, 11, 30), QTime(15, 0));
        e.data = "{}";
        QCOMPARE(
            eventCell(EventField::Type, Qt::DisplayRole, &e, EventField::Version, 3).toString(),
            QStringLiteral("ItemAdded (erased)"));
        QCOMPARE(eventCell(EventField::Type, Qt::ForegroundRole, &e, EventField::Version, 3)
                     .value<QBrush>(),
                 QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text));
        // Its place stays as it was.
        QCOMPARE(eventCell(EventField::Version, Qt::DisplayRole, &e, EventField::Version, 3)
                     .toLongLong(),
                 3);
    }

    void aLoadingRowShowsItsKeyAndSaysLoading()
    {
        const QBrush disabled
            = QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        QCOMPARE(eventCell(EventField::Position, Qt::DisplayRole, nullptr, EventField::Position, 99)
                     .toLongLong(),
                 99);
        QCOMPARE(eventCell(EventField::Version, Qt::DisplayRole, nullptr, EventField::Version, 12)
                     .toLongLong(),
                 12);
        QCOMPARE(eventCell(EventField::Type, Qt::DisplayRole, nullptr, EventField::Version, 12)
                     .toString(),
                 QStringLiteral("loading…"));
        QVERIFY(!eventCell(EventField::Stream, Qt::DisplayRole, nullptr, EventField::Position, 99)
                     .isValid());
        QCOMPARE(
            eventCell(EventField::Stream, Qt::ForegroundRole, nullptr, EventField::Position, 99)
                .value<QBrush>(),
            disabled);
        QVERIFY(!eventCell(EventField::Type, Qt::ToolTipRole, nullptr, EventField::Version, 12)
                     .isValid());
    }

    void anUnnumberedEventIsPending()
    {
        RecordedEvent e = sample();
        e.position = GlobalPosition(0);
        QCOMPARE(
            eventCell(EventField::Position, Qt::DisplayRole, &e, EventField::Version, 3).toString(),
            QStringLiteral("pending"));
        QVERIFY(eventCell(EventField::Position, Qt::ForegroundRole, &e, EventField::Version, 3)
                    .isValid());
    }

    void numbersAlignRightAndHeadersNameTheirFields()
    {
        const QVariant right = int(Qt::AlignRight | Qt::AlignVCenter);
        QCOMPARE(eventHeader(EventField::Position, Qt::TextAlignmentRole), right);
        QCOMPARE(eventHeader(EventField::Version, Qt::TextAlignmentRole), right);
        QVERIFY(!eventHeader(EventField::Type, Qt::TextAlignmentRole).isValid());
        const RecordedEvent e = sample();
        QCOMPARE(eventCell(EventField::Version, Qt::TextAlignmentRole, &e, EventField::Version, 3),
                 right);
        QCOMPARE(eventHeader(EventField::Stream, Qt::DisplayRole).toString(),
                 QStringLiteral("Stream"));
        QCOMPARE(eventHeader(EventField::Time, Qt::DisplayRole).toString(), QStringLiteral("Time"));
    }
};

QTEST_MAIN(TestEventCells)
#include "tst_eventcells.moc"
