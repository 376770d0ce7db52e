#pragma once

// What the browser's GUI tests share: events to append, the window's options on the tests'
// server, a click on a table row.
#include "support/testdatabase.h"

#include "mainwindow.h"

#include <eventium/store.h>

#include <QTableView>
#include <QTest>

namespace eventium::test {

inline constexpr int kBrowserTimeout = 30000;

// `count` events of `type` with the payloads {"n": 1} … {"n": count}.
inline QList<NewEvent> numberedEvents(const QString &type, int count)
{
    QList<NewEvent> list;
    for (int i = 0; i < count; ++i) {
        NewEvent e;
        e.type = type;
        e.data = QStringLiteral("{\"n\": %1}").arg(i + 1).toUtf8();
        list.append(e);
    }
    return list;
}

// The browser on the tests' server and `store`'s schema (as `user` when given), without a
// saved window state.
inline ui::MainWindow::Options browserOptions(const Store &store, const QString &user = {})
{
    ui::MainWindow::Options options;
    options.target.embedded = false;
    options.target.options = TestDatabase::options();
    if (!user.isEmpty())
        options.target.options.user = user;
    options.target.schema = store.schema();
    options.restoreState = false;
    return options;
}

inline void clickRow(QTableView *table, int row)
{
    table->scrollTo(table->model()->index(row, 0));
    const QRect rect = table->visualRect(table->model()->index(row, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
}

} // namespace eventium::test

// Shows `window` (a MainWindow) and waits until it is connected; fails the test otherwise.
#define EVENTIUM_SHOW_BROWSER(window)                                                              \
    do {                                                                                           \
        (window).show();                                                                           \
        QVERIFY(QTest::qWaitForWindowExposed(&(window)));                                          \
        QTRY_VERIFY_WITH_TIMEOUT((window).isConnected(), eventium::test::kBrowserTimeout);         \
    } while (false)
