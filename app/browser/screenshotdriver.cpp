#include "screenshotdriver.h"

#include "eventdetailview.h"
#include "jsonpane.h"
#include "jsontreemodel.h"
#include "mainwindow.h"
#include "searchbox.h"
#include "streameventsmodel.h"
#include "streamlistmodel.h"
#include "streamview.h"

#include <QApplication>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>

namespace eventium::browser {

using ui::MainWindow;

namespace {
constexpr int kStepMs = 250;
constexpr int kMaxSteps = 240; // 60 s
} // namespace

ScreenshotDriver::ScreenshotDriver(MainWindow *window, QString file)
    : QObject(window)
    , m_window(window)
    , m_file(std::move(file))
{
    m_timer.setInterval(kStepMs);
    connect(&m_timer, &QTimer::timeout, this, &ScreenshotDriver::step);
    connect(window, &MainWindow::connectedToStore, this, [this] { m_timer.start(); });
}

void ScreenshotDriver::step()
{
    ++m_ticks;
    const bool timedOut = m_ticks > kMaxSteps;
    if (m_window->isFillingSampleData() && !timedOut)
        return;
    // 1. a stream with several events, 2. a search in it, 3. a match, 4. its payload as a
    // tree beside it.
    ui::StreamView *view = m_window->streamView();
    const ui::StreamListModel *streams = m_window->streamsModel();
    if (view->stream().isEmpty() && streams->rowCount() > 0) {
        int best = 0;
        for (int row = 0; row < streams->rowCount(); ++row) {
            if (streams->streamAt(row).version.value >= 8) {
                best = row;
                break;
            }
        }
        m_window->streamsTable()->selectRow(best);
        return;
    }
    if (!timedOut && view->stream().isEmpty())
        return;
    ui::StreamEventsModel *model = view->model();
    if (!timedOut && !model->isSearchFiltered()) {
        view->setSearch(ui::SearchBox::SearchWhere, QStringLiteral("amount >= 10000"));
        return;
    }
    if (!timedOut && (model->isSearching() || model->rowCount() == 0))
        return;
    const int target = qMin(1, model->rowCount() - 1);
    if (!timedOut && target >= 0 && view->table()->currentIndex().row() != target) {
        view->table()->selectRow(target);
        return;
    }
    if (!timedOut && !view->currentEvent())
        return;
    if (!timedOut && !view->detail()->event()) {
        view->detail()->setEvent(view->currentEvent());
        return;
    }
    ui::JsonPane *payload = view->detail()->payloadPane();
    if (!timedOut && payload->tabs()->currentWidget() != payload->treeView()) {
        payload->tabs()->setCurrentWidget(payload->treeView());
        return;
    }
    if (!timedOut && payload->treeModel()->rowCount() == 0)
        return;
    payload->treeView()->expandToDepth(1);
    m_timer.stop();
    m_window->tabs()->setCurrentWidget(view);
    view->table()->setFocus();
    QTimer::singleShot(500, this, &ScreenshotDriver::save);
}

void ScreenshotDriver::save()
{
    const bool ok = m_window->grab().save(m_file, "PNG");
    qCInfo(lcUi).noquote() << (ok ? "saved screenshot" : "could not save screenshot") << m_file;
    m_window->close();
    QApplication::exit(ok ? 0 : 1);
}

} // namespace eventium::browser
