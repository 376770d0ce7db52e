// A store of a million events opens at once and scrolls through pages without reading
// everything: the views read pages by key, and only those that are looked at.
#include "browsertest.h"
#include "support/testconnection.h"
#include "support/testdatabase.h"

#include "eventtableview.h"
#include "liveeventsmodel.h"
#include "liveview.h"
#include "mainwindow.h"
#include "streameventsmodel.h"
#include "streamlistmodel.h"
#include "streamview.h"

#include <eventium/store.h>

#include <QElapsedTimer>
#include <QScrollBar>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;

namespace {

constexpr int kTimeout = eventium::test::kBrowserTimeout;
constexpr qint64 kBigStream = 400000;
constexpr qint64 kSmallStreams = 1200;
constexpr qint64 kSmallEvents = 500;
constexpr qint64 kTotal = kBigStream + kSmallStreams * kSmallEvents; // 1,000,000

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *error = q.lastError().text() + QStringLiteral(" in: ") + sql.left(200);
    return false;
}

} // namespace

class TestBigStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<Store> m_store;

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_browser_bigstore"));
        QString error;
        StoreSettings settings;
        settings.runSequencer = false; // numbered below, in big steps
        m_store = TestDatabase::freshStore(settings, &error);
        QVERIFY2(m_store, qPrintable(error));

        QElapsedTimer timer;
        timer.start();
        {
            eventium::test::TestConnection connection;
            QVERIFY2(connection.isOpen(), qPrintable(connection.error()));
            QSqlDatabase db = connection.db();
            const QString s = QLatin1Char('"') + m_store->schema() + QLatin1Char('"');
            QVERIFY2(exec(db,
                          QStringLiteral(
                              "INSERT INTO %1.streams (name, version) VALUES ('big-stream', %2)")
                              .arg(s)
                              .arg(kBigStream),
                          &error),
                     qPrintable(error));
            QVERIFY2(exec(db,
                          QStringLiteral("INSERT INTO %1.streams (name, version) "
                                         "SELECT 'small-' || lpad(i::text, 5, '0'), %2 FROM "
                                         "generate_series(1, %3) i")
                              .arg(s)
                              .arg(kSmallEvents)
                              .arg(kSmallStreams),
                          &error),
                     qPrintable(error));
            QVERIFY2(
                exec(
                    db,
                    QStringLiteral(
                        "INSERT INTO %1.events (stream_id, version, event_id, type, data) "
                        "SELECT st.stream_id, v, gen_random_uuid(), 'Tick', "
                        "jsonb_build_object('v', v) "
                        "FROM %1.streams st, generate_series(1, %2) v WHERE st.name = 'big-stream'")
                        .arg(s)
                        .arg(kBigStream),
                    &error),
                qPrintable(error));
            QVERIFY2(exec(db,
                          QStringLiteral(
                              "INSERT INTO %1.events (stream_id, version, event_id, type, data) "
                              "SELECT st.stream_id, v, gen_random_uuid(), "
                              "CASE WHEN v = 1 THEN 'Opened' ELSE 'Changed' END, "
                              "jsonb_build_object('v', v) "
                              "FROM %1.streams st, generate_series(1, %2) v WHERE st.name LIKE "
                              "'small-%%'")
                              .arg(s)
                              .arg(kSmallEvents),
                          &error),
                     qPrintable(error));
            QVERIFY2(
                exec(db,
                     QStringLiteral(
                         "UPDATE %1.streams st SET last_row = m.mx FROM "
                         "(SELECT stream_id, max(id) AS mx FROM %1.events GROUP BY stream_id) m "
                         "WHERE m.stream_id = st.stream_id")
                         .arg(s),
                     &error),
                qPrintable(error));
        }
        qint64 head = 0;
        for (int i = 0; i < 200 && head < kTotal; ++i) {
            auto step = m_store->sequenceStep(250000);
            QVERIFY2(step, step ? "" : qPrintable(step.error().toString()));
            if (step->numbered < 0) { // another step holds the cursor
                QTest::qWait(50);
                continue;
            }
            head = step->head.value;
        }
        QCOMPARE(head, kTotal);
        qInfo("filled %lld events in %lld ms", kTotal, timer.elapsed());
    }

    void cleanupTestCase() { m_store.reset(); }

    void opensAndScrollsAMillionEventsByPages()
    {
        MainWindow window(eventium::test::browserOptions(*m_store));
        QElapsedTimer timer;
        timer.start();
        EVENTIUM_SHOW_BROWSER(window);

        // The global sequence: a row per position at once, pages read as they are shown.
        LiveView *live = window.liveView();
        window.tabs()->setCurrentWidget(live);
        LiveEventsModel *model = live->model();
        QTRY_COMPARE_WITH_TIMEOUT(qint64(model->rowCount()), kTotal, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(int(kTotal) - 1).has_value(), kTimeout);
        qInfo("live view at the newest of %lld events after %lld ms", kTotal, timer.elapsed());
        QCOMPARE(model->eventAt(int(kTotal) - 1)->position.value, kTotal);

        for (int round = 0; round < 3; ++round) {
            live->table()->scrollToTop();
            QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(0).has_value(), kTimeout);
            QCOMPARE(model->eventAt(0)->position.value, 1);
            const int middle = int(kTotal / 2) + round * 1000;
            live->table()->scrollTo(model->index(middle, 0), QAbstractItemView::PositionAtCenter);
            QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(middle).has_value(), kTimeout);
            QCOMPARE(model->eventAt(middle)->position.value, middle + 1);
            live->table()->scrollToBottom();
            QTRY_VERIFY_WITH_TIMEOUT(model->eventAt(int(kTotal) - 1).has_value(), kTimeout);
        }
        // Keyboard too: Ctrl+Home / Ctrl+End select the first and the last row.
        live->table()->setFocus();
        QTest::keyClick(live->table(), Qt::Key_Home, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(live->currentEvent() ? live->currentEvent()->position.value : -1,
                                  qint64(1), kTimeout);
        QTest::keyClick(live->table(), Qt::Key_End, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(live->currentEvent() ? live->currentEvent()->position.value : -1,
                                  qint64(kTotal), kTimeout);
        // Jump to a position.
        window.jumpToPosition(777777);
        QTRY_COMPARE_WITH_TIMEOUT(live->currentEvent() ? live->currentEvent()->position.value : -1,
                                  qint64(777777), kTimeout);
        qInfo("live view: %lld rows fetched of %lld", model->rowsFetched(), kTotal);
        QVERIFY2(model->rowsFetched() < 20000, qPrintable(QString::number(model->rowsFetched())));

        // The big stream: opens at once with a row per version.
        timer.restart();
        window.openStream(QStringLiteral("big-stream"), kBigStream);
        StreamView *view = window.streamView();
        StreamEventsModel *events = view->model();
        QCOMPARE(qint64(events->rowCount()), kBigStream);
        QTRY_VERIFY_WITH_TIMEOUT(events->eventAt(0).has_value(), kTimeout);
        qInfo("big stream's first page after %lld ms", timer.elapsed());
        for (int round = 0; round < 3; ++round) {
            view->table()->scrollToBottom();
            QTRY_VERIFY_WITH_TIMEOUT(events->eventAt(int(kBigStream) - 1).has_value(), kTimeout);
            QCOMPARE(events->eventAt(int(kBigStream) - 1)->version.value, kBigStream);
            view->table()->scrollToTop();
            QTRY_VERIFY_WITH_TIMEOUT(events->eventAt(0).has_value(), kTimeout);
        }
        view->setNewestFirst(true);
        QTRY_VERIFY_WITH_TIMEOUT(events->eventAt(0).has_value(), kTimeout);
        QCOMPARE(events->eventAt(0)->version.value, kBigStream);
        qInfo("stream view: %lld rows fetched of %lld", events->rowsFetched(), kBigStream);
        QVERIFY2(events->rowsFetched() < 20000, qPrintable(QString::number(events->rowsFetched())));

        // The streams list: one page until someone scrolls.
        StreamListModel *streams = window.streamsModel();
        QTRY_VERIFY_WITH_TIMEOUT(streams->rowCount() > 0, kTimeout);
        QVERIFY(streams->rowsFetched() <= 3 * StreamListModel::pageSize);
        QVERIFY(streams->hasMore());
    }
};

QTEST_MAIN(TestBigStore)
#include "tst_browser_bigstore.moc"
