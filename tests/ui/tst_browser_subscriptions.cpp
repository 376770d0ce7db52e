// The browser's Subscriptions tab against a real PostgreSQL: where each subscription stands
// (one held by a runner on a connection of its own, one idle), moving a checkpoint (refused
// while held), the Live tab's checkpoint markers, and a read-only role that lists but cannot
// move.
#include "browsertest.h"
#include "support/testdatabase.h"

#include "liveeventsmodel.h"
#include "liveview.h"
#include "mainwindow.h"
#include "movecheckpointdialog.h"
#include "streamview.h"
#include "subscriptionlistmodel.h"
#include "subscriptionspane.h"

#include <eventium/roles.h>
#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>

#include <QAbstractButton>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QUuid>

using namespace eventium;
using namespace eventium::ui;
using eventium::test::TestDatabase;
using namespace eventium::test;
using toolkit::Subscription;

namespace {

constexpr int kTimeout = kBrowserTimeout;

Subscription::Settings quick(const QString &name)
{
    Subscription::Settings s;
    s.name = name;
    s.pollInterval = std::chrono::milliseconds(100);
    s.lockRetryInterval = std::chrono::milliseconds(100);
    return s;
}

Result<Done> ignore(const QList<RecordedEvent> &)
{
    return Done {};
}

} // namespace

class TestBrowserSubscriptions : public QObject
{
    Q_OBJECT

    std::unique_ptr<Store> m_store;
    std::unique_ptr<MainWindow> m_window;
    QString m_role;

    void openWindow(const QString &user = {})
    {
        m_window = std::make_unique<MainWindow>(browserOptions(*m_store, user));
        EVENTIUM_SHOW_BROWSER(*m_window);
    }
    void append(const QString &stream, int count)
    {
        auto r = m_store->append(StreamName(stream), ExpectedVersion::any(),
                                 numberedEvents(QStringLiteral("Thing"), count));
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QVERIFY(m_store->sequenceNow());
    }
    qint64 stored(const QString &name)
    {
        auto r = Subscription::storedCheckpoint(*m_store, name);
        return r ? r->value : -1;
    }
    QString cell(int row, int column) const
    {
        SubscriptionsPane *pane = m_window->subscriptionsPane();
        return pane->model()->index(row, column).data().toString();
    }
    // The message box of the pane with this object name, once it is open.
    QMessageBox *waitForBox(const QString &name)
    {
        QMessageBox *box = nullptr;
        (void)QTest::qWaitFor(
            [&] {
                box = m_window->findChild<QMessageBox *>(name);
                return box && box->isVisible();
            },
            kTimeout);
        return box;
    }

private slots:
    void initTestCase()
    {
        EVENTIUM_REQUIRE_DB();
        QCoreApplication::setOrganizationName(QStringLiteral("EventiumTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_browser_subscriptions"));
    }

    void init()
    {
        QString error;
        m_store = TestDatabase::freshStore({}, &error);
        QVERIFY2(m_store, qPrintable(error));
    }

    void cleanup()
    {
        m_window.reset();
        m_store.reset();
        if (!m_role.isEmpty()) {
            QString error;
            QVERIFY2(
                TestDatabase::execAdmin(QStringLiteral("DROP OWNED BY %1").arg(m_role), &error),
                qPrintable(error));
            QVERIFY2(TestDatabase::execAdmin(QStringLiteral("DROP ROLE %1").arg(m_role), &error),
                     qPrintable(error));
            m_role.clear();
        }
    }

    void paneListsMovesAndMarksLive()
    {
        append(QStringLiteral("acct-1"), 12);
        append(QStringLiteral("acct-2"), 8);
        QVERIFY(Subscription::resetCheckpoint(*m_store, QStringLiteral("idle"), GlobalPosition(5)));
        Subscription busy(*m_store, quick(QStringLiteral("busy")), ignore);
        busy.start();
        QTRY_VERIFY_WITH_TIMEOUT(busy.isLive() && busy.checkpoint().value == 20, kTimeout);

        openWindow();
        SubscriptionsPane *pane = m_window->subscriptionsPane();
        m_window->tabs()->setCurrentWidget(pane);
        QVERIFY(pane->isActive());
        QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 2, kTimeout);
        using M = SubscriptionListModel;
        QCOMPARE(cell(0, M::NameColumn), QStringLiteral("busy"));
        QCOMPARE(cell(0, M::PositionColumn), QStringLiteral("20"));
        QCOMPARE(cell(0, M::LagEventsColumn), QStringLiteral("0"));
        QCOMPARE(cell(0, M::StateColumn), QStringLiteral("held"));
        QVERIFY(cell(0, M::OwnerColumn)
                    .endsWith(QStringLiteral(":%1").arg(QCoreApplication::applicationPid())));
        QCOMPARE(cell(1, M::NameColumn), QStringLiteral("idle"));
        QCOMPARE(cell(1, M::PositionColumn), QStringLiteral("5"));
        QCOMPARE(cell(1, M::LagEventsColumn), QStringLiteral("15"));
        QCOMPARE(cell(1, M::StateColumn), QStringLiteral("idle"));
        QVERIFY(pane->summaryLabel()->text().contains(QStringLiteral("1 held by a runner")));
        // It refreshes while shown.
        const int before = pane->refreshes();
        QTRY_VERIFY_WITH_TIMEOUT(pane->refreshes() >= before + 2, kTimeout);

        // Held: the button refuses with a message, nothing is moved.
        clickRow(pane->table(), 0);
        QVERIFY(pane->moveButton()->isEnabled());
        QTest::mouseClick(pane->moveButton(), Qt::LeftButton);
        QMessageBox *refused = waitForBox(QStringLiteral("moveRefused"));
        QVERIFY(refused);
        QVERIFY2(refused->text().contains(QStringLiteral("“busy” is held by a running runner")),
                 qPrintable(refused->text()));
        QVERIFY(m_window->findChild<MoveCheckpointDialog *>() == nullptr);
        refused->close();
        // And the server refuses it too when the list has not caught up with a runner.
        pane->requestMove(QStringLiteral("busy"), GlobalPosition(0));
        QTRY_VERIFY_WITH_TIMEOUT(
            (refused = m_window->findChild<QMessageBox *>(QStringLiteral("moveRefused")))
                && refused->isVisible(),
            kTimeout);
        refused->close();
        QCOMPARE(stored(QStringLiteral("busy")), 20);

        // Idle: the dialog, then the confirmation, then the move.
        clickRow(pane->table(), 1);
        QTest::mouseClick(pane->moveButton(), Qt::LeftButton);
        MoveCheckpointDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<MoveCheckpointDialog *>()),
                                 kTimeout);
        QCOMPARE(dialog->positionEdit()->text(), QStringLiteral("5"));
        dialog->positionEdit()->setText(QStringLiteral("99"));
        QVERIFY(!dialog->moveButton()->isEnabled());
        QVERIFY(dialog->effectLabel()->text().contains(QStringLiteral("to the head, 20")));
        dialog->positionEdit()->setText(QStringLiteral("2"));
        QVERIFY(dialog->moveButton()->isEnabled());
        QCOMPARE(dialog->effectLabel()->text(),
                 QStringLiteral("It handles positions 3 to 5 again (3 events)."));
        QTest::mouseClick(dialog->moveButton(), Qt::LeftButton);
        QMessageBox *confirm = waitForBox(QStringLiteral("confirmMove"));
        QVERIFY(confirm);
        QVERIFY2(confirm->text().startsWith(
                     QStringLiteral("Move the checkpoint of “idle” from 5 to 2?")),
                 qPrintable(confirm->text()));
        QCOMPARE(stored(QStringLiteral("idle")), 5); // not before the confirmation
        auto *yes = confirm->findChild<QPushButton *>(QStringLiteral("confirm"));
        QVERIFY(yes);
        yes->click();
        QTRY_COMPARE_WITH_TIMEOUT(stored(QStringLiteral("idle")), 2, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(cell(1, M::PositionColumn), QStringLiteral("2"), kTimeout);
        QCOMPARE(cell(1, M::LagEventsColumn), QStringLiteral("18"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->noticeLabel()->text().startsWith(
                                     QStringLiteral("Moved the checkpoint of idle from 5 to 2")),
                                 kTimeout);

        // To the head.
        clickRow(pane->table(), 1);
        pane->moveCheckpoint();
        QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<MoveCheckpointDialog *>()),
                                 kTimeout);
        dialog->headChoice()->setChecked(true);
        QCOMPARE(dialog->target(), GlobalPosition::end());
        QTest::mouseClick(dialog->moveButton(), Qt::LeftButton);
        confirm = waitForBox(QStringLiteral("confirmMove"));
        QVERIFY(confirm && confirm->text().contains(QStringLiteral("to the head (20)")));
        confirm->findChild<QPushButton *>(QStringLiteral("confirm"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(stored(QStringLiteral("idle")), 20, kTimeout);

        // The Live tab marks where each stands, and keeps the list fresh while shown.
        QVERIFY(Subscription::moveCheckpoint(*m_store, QStringLiteral("idle"), GlobalPosition(7)));
        m_window->tabs()->setCurrentWidget(m_window->liveView());
        QVERIFY(pane->isActive());
        LiveEventsModel *live = m_window->liveView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(live->checkpointsAt(7), QStringList {QStringLiteral("idle")},
                                  kTimeout);
        QCOMPARE(live->checkpointsAt(20), QStringList {QStringLiteral("busy")});
        QVERIFY(live->checkpointsAt(5).isEmpty());
        const QModelIndex marked = live->index(6, LiveEventsModel::PositionColumn);
        QVERIFY(!marked.data(Qt::DecorationRole).isNull());
        QVERIFY(live->index(5, LiveEventsModel::PositionColumn).data(Qt::DecorationRole).isNull());
        QTRY_VERIFY_WITH_TIMEOUT(
            live->index(6, LiveEventsModel::TypeColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .startsWith(
                    QStringLiteral("Subscription “idle” has handled up to here\n\nacct-1 #7")),
            kTimeout);
        // The runner moves on: its marker follows.
        append(QStringLiteral("acct-3"), 3);
        QTRY_COMPARE_WITH_TIMEOUT(live->checkpointsAt(23), QStringList {QStringLiteral("busy")},
                                  kTimeout);
        QVERIFY(live->checkpointsAt(20).isEmpty());
        // Elsewhere, no refreshes.
        m_window->tabs()->setCurrentWidget(m_window->streamView());
        QVERIFY(!pane->isActive());

        // The runner gone, its subscription moves.
        busy.stop();
        QVERIFY(busy.wait());
        m_window->tabs()->setCurrentWidget(pane);
        QTRY_COMPARE_WITH_TIMEOUT(cell(0, M::StateColumn), QStringLiteral("idle"), kTimeout);
        pane->requestMove(QStringLiteral("busy"), GlobalPosition(10));
        QTRY_COMPARE_WITH_TIMEOUT(stored(QStringLiteral("busy")), 10, kTimeout);
    }

    void readOnlyRoleListsButCannotMove()
    {
        append(QStringLiteral("ro"), 4);
        QVERIFY(Subscription::resetCheckpoint(*m_store, QStringLiteral("idle"), GlobalPosition(1)));
        m_role
            = QStringLiteral("eventium_ro_") + QUuid::createUuid().toString(QUuid::Id128).left(12);
        QString error;
        QVERIFY2(
            TestDatabase::execAdmin(QStringLiteral("CREATE ROLE %1 LOGIN").arg(m_role), &error),
            qPrintable(error));
        auto granted = Roles::grant(*m_store, Roles::Kind::Reader, m_role);
        QVERIFY2(granted, granted ? "" : qPrintable(granted.error().toString()));

        openWindow(m_role);
        QVERIFY(m_window->connectionInfo().readOnly);
        SubscriptionsPane *pane = m_window->subscriptionsPane();
        m_window->tabs()->setCurrentWidget(pane);
        QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 1, kTimeout);
        QCOMPARE(cell(0, SubscriptionListModel::PositionColumn), QStringLiteral("1"));
        QCOMPARE(cell(0, SubscriptionListModel::LagEventsColumn), QStringLiteral("3"));
        QVERIFY2(!pane->statusLabel()->text().startsWith(QStringLiteral("Could not")),
                 qPrintable(pane->statusLabel()->text()));
        clickRow(pane->table(), 0);
        QVERIFY(!pane->moveButton()->isEnabled());
        QVERIFY2(pane->moveButton()->toolTip().startsWith(QStringLiteral("Read-only")),
                 qPrintable(pane->moveButton()->toolTip()));
        pane->moveCheckpoint(0);
        QTest::qWait(100);
        QVERIFY(m_window->findChild<MoveCheckpointDialog *>() == nullptr);
        pane->openRowMenu(0);
        QVERIFY(pane->rowMenu());
        QVERIFY(!pane->rowMenu()->actions().first()->isEnabled());
        pane->rowMenu()->close();
        QCOMPARE(stored(QStringLiteral("idle")), 1);
    }
};

QTEST_MAIN(TestBrowserSubscriptions)
#include "tst_browser_subscriptions.moc"
