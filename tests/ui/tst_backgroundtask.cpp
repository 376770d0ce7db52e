// runInBackground(): the work runs off the UI thread, its result comes back on the UI thread,
// and a result whose receiver is gone is dropped.

#include "backgroundtask.h"
#include "support/testmain.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <semaphore>

using namespace eventium::ui;

class TestBackgroundTask : public QObject
{
    Q_OBJECT

private slots:
    void resultComesBackOnTheUiThread()
    {
        QObject receiver;
        QThread *ui = QThread::currentThread();
        QThread *workedOn = nullptr;
        QThread *deliveredOn = nullptr;
        QString result;
        runInBackground(
            &receiver,
            [&workedOn] {
                workedOn = QThread::currentThread();
                return QStringLiteral("formatted");
            },
            [&](const QString &value) {
                deliveredOn = QThread::currentThread();
                result = value;
            });
        QTRY_COMPARE(result, QStringLiteral("formatted"));
        QVERIFY(workedOn != nullptr);
        QVERIFY(workedOn != ui);
        QCOMPARE(deliveredOn, ui);
    }

    void aGoneReceiverDropsTheResult()
    {
        auto receiver = std::make_unique<QObject>();
        auto release = std::make_shared<std::binary_semaphore>(0);
        std::atomic<bool> workDone {false};
        bool delivered = false;
        runInBackground(
            receiver.get(),
            [release, &workDone] {
                release->acquire(); // until the receiver is gone
                workDone = true;
                return 42;
            },
            [&delivered](int) { delivered = true; });
        receiver.reset();
        release->release();
        QTRY_VERIFY(workDone.load());
        // The delivery, had it been made, was queued before workDone's thread ended; run the
        // event loop past it.
        QTest::qWait(100);
        QVERIFY(!delivered);
    }

    void manyTasksEachDeliverOnce()
    {
        QObject receiver;
        QList<int> results;
        for (int i = 0; i < 50; ++i)
            runInBackground(
                &receiver, [i] { return i * i; }, [&results](int v) { results.append(v); });
        QTRY_COMPARE(results.size(), 50);
        std::sort(results.begin(), results.end());
        for (int i = 0; i < 50; ++i)
            QCOMPARE(results.at(i), i * i);
    }
};

EVENTIUM_TEST_MAIN(TestBackgroundTask)
#include "tst_backgroundtask.moc"
