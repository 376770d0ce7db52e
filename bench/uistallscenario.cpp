#include "uistallscenario.h"

#include "benchcontext.h"
#include "samples.h"
#include "statistics.h"

#include "appenddialog.h"
#include "eventdetailview.h"
#include "jsonpane.h"
#include "jsontreemodel.h"
#include "mainwindow.h"
#include "streameventsmodel.h"
#include "streamview.h"

#include <eventium/store.h>

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include <algorithm>

namespace bench {

namespace {

// The actions, in the order each round measures them (one sample each, in this order).
const QStringList kActions {
    QStringLiteral("ui_stall_select_array"), QStringLiteral("ui_stall_select_string"),
    QStringLiteral("ui_stall_select_elements"), QStringLiteral("ui_stall_paste")};

// The largest gap between ticks of a 1 ms timer, less the 1 ms, while it runs.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_worst = std::max(m_worst, now - m_last);
            m_last = now;
        });
    }
    void start()
    {
        m_worst = 0;
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    // Milliseconds.
    double stop()
    {
        m_timer.stop();
        m_worst = std::max(m_worst, m_clock.nsecsElapsed() - m_last);
        return std::max(0.0, double(m_worst) / 1e6 - 1.0);
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    qint64 m_worst = 0;
};

// Runs the event loop until `done` or `timeoutMs`; false on timeout.
template<typename F> bool waitFor(F done, int timeoutMs = 60000)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

void settle(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

QByteArray arrayPayload(qsizetype bytes)
{
    QByteArray out("{\"items\": [");
    for (int i = 0; out.size() < bytes; ++i) {
        if (i > 0)
            out += ", ";
        out += QStringLiteral("{\"sku\": \"A-%1\", \"qty\": %2, \"price\": %3.25, \"note\": "
                              "\"item number %1 of a large order\", \"tags\": [\"x\", \"y\"]}")
                   .arg(i)
                   .arg(i % 7 + 1)
                   .arg(i % 100)
                   .toUtf8();
    }
    out += "]}";
    return out;
}

QByteArray stringPayload(qsizetype bytes)
{
    return "{\"blob\": \"" + QByteArray(bytes, 'q') + "\"}";
}

QByteArray elementsPayload(int elements)
{
    QByteArray out("[");
    for (int i = 0; i < elements; ++i) {
        if (i > 0)
            out += ',';
        out += QByteArray::number(i * 7);
    }
    return out + "]";
}

// Selects row `row` of the stream view, waits until its payload is ready, then scrolls the
// text to the middle and the end, pages down, shows the tree and expands its root, and goes
// back to the text; the stall over all of it.
bool selectAndBrowse(eventium::ui::MainWindow &window, int row, double *stall, QString *error)
{
    using namespace eventium::ui;
    StreamView *view = window.streamView();
    EventDetailView *detail = view->detail();
    JsonPane *pane = detail->payloadPane();
    StallMeter meter;
    meter.start();
    view->table()->selectRow(row);
    if (!waitFor([&] {
            return detail->event() && detail->event()->version.value == row + 1 && !pane->isBusy();
        })) {
        *error = QStringLiteral("event %1 was not shown").arg(row + 1);
        return false;
    }
    QScrollBar *bar = pane->textEdit()->verticalScrollBar();
    bar->setValue(bar->maximum() / 2);
    settle(30);
    bar->setValue(bar->maximum());
    settle(30);
    for (int i = 0; i < 5; ++i) {
        bar->triggerAction(QAbstractSlider::SliderPageStepSub);
        settle(10);
    }
    pane->tabs()->setCurrentWidget(pane->treeView());
    settle(30);
    // What a user does: opens the top-level value and the container in it.
    pane->treeView()->expand(pane->treeModel()->index(0, 0));
    settle(30);
    pane->treeView()->expand(pane->treeModel()->index(0, 0, pane->treeModel()->index(0, 0)));
    settle(30);
    pane->treeView()->verticalScrollBar()->setValue(
        pane->treeView()->verticalScrollBar()->maximum());
    settle(30);
    pane->tabs()->setCurrentWidget(pane->textEdit());
    settle(30);
    *stall = meter.stop();
    return true;
}

bool measure(const Round &round, bool big, QString *error)
{
    using namespace eventium;
    const BenchConfig &config = round.context.config();
    // The 20 MB string is over the store's default limit for one event (8 MB): raise it, as an
    // application that stores such events does.
    StoreSettings settings;
    settings.schema = QString::fromLatin1(BenchContext::oursWriteSchema);
    settings.maxEventBytes = 64 * 1024 * 1024;
    auto store = std::make_unique<Store>(round.context.options(), settings);
    const StreamName stream(
        QStringLiteral("stall-r%1-%2").arg(round.number).arg(variantName(round.variant)));
    const QByteArray small("{\"n\": 1}");
    QList<NewEvent> events(3);
    events[0].data = big ? arrayPayload(config.stallArrayBytes) : small;
    events[1].data = big ? stringPayload(config.stallStringBytes) : small;
    events[2].data = big ? elementsPayload(config.stallElements) : small;
    for (NewEvent &e : events)
        e.type = QStringLiteral("Stall");
    auto appended = store->append(stream, ExpectedVersion::noStream(), events);
    if (!appended || !appended->succeeded()) {
        *error = appended ? QStringLiteral("the stall events were not appended")
                          : appended.error().toString();
        return false;
    }

    ui::MainWindow::Options options;
    options.target.options = round.context.options();
    options.target.schema = QString::fromLatin1(BenchContext::oursWriteSchema);
    options.restoreState = false;
    ui::MainWindow window(options);
    window.resize(1400, 900);
    window.show();
    if (!waitFor([&] { return window.isConnected(); })) {
        *error = QStringLiteral("the browser did not connect");
        return false;
    }
    window.openStream(stream.value(), 3);
    if (!waitFor([&] { return window.streamView()->model()->eventAt(2).has_value(); })) {
        *error = QStringLiteral("the stream's rows were not read");
        return false;
    }
    settle(100);

    QList<double> stalls;
    for (int row = 0; row < 3; ++row) {
        double stall = 0;
        if (!selectAndBrowse(window, row, &stall, error))
            return false;
        stalls.append(stall);
    }

    // Paste one line of JSON into the append dialog, and wait until it has been checked.
    ui::AppendDialog *dialog = window.openAppendDialog();
    if (!dialog) {
        *error = QStringLiteral("the append dialog did not open");
        return false;
    }
    settle(100);
    QApplication::clipboard()->setText(
        QString::fromUtf8(big ? arrayPayload(config.stallPasteBytes) : small));
    StallMeter meter;
    meter.start();
    dialog->payloadEdit()->selectAll();
    dialog->payloadEdit()->paste();
    if (!waitFor(
            [&] { return !dialog->isCheckingJson() && dialog->appendButton()->isEnabled(); })) {
        *error = QStringLiteral("the pasted JSON was not accepted");
        return false;
    }
    QScrollBar *bar = dialog->payloadEdit()->verticalScrollBar();
    bar->setValue(bar->maximum() / 2);
    settle(30);
    stalls.append(meter.stop());
    dialog->reject();
    settle(50);

    round.samples->append(stalls);
    return true;
}

} // namespace

QStringList UiStallScenario::rows()
{
    return QStringList {QStringLiteral("ui_stall")} + kActions;
}

bool UiStallScenario::measureBig(const Round &round, QString *error)
{
    return measure(round, true, error);
}

bool UiStallScenario::measureSmall(const Round &round, QString *error)
{
    return measure(round, false, error);
}

namespace {

// Every round appends one sample per action, in kActions' order.
QList<double> action(const QList<double> &all, qsizetype index)
{
    QList<double> out;
    for (qsizetype i = index; i < all.size(); i += kActions.size())
        out.append(all.at(i));
    return out;
}

std::optional<double> worst(const QList<double> &values)
{
    if (values.isEmpty())
        return std::nullopt;
    return *std::max_element(values.begin(), values.end());
}

} // namespace

QString UiStallScenario::progress(int round, const Samples &samples)
{
    auto line = [&](Variant variant) {
        const QList<double> all = samples.values(variant);
        const auto w = worst(all);
        return w ? QStringLiteral("%1 %2 ms").arg(variantName(variant)).arg(*w, 0, 'f', 1)
                 : QStringLiteral("%1 n/a").arg(variantName(variant));
    };
    return QStringLiteral("ui_stall round %1: longest stall %2, %3")
        .arg(round)
        .arg(line(Variant::Ours), line(Variant::Raw));
}

QList<ScenarioResult> UiStallScenario::summarize(const BenchContext &context,
                                                 const Scenario &scenario, const Samples &samples)
{
    const BenchConfig &config = context.config();
    const QList<double> big = samples.values(Variant::Ours);
    const QList<double> small = samples.values(Variant::Raw);
    QList<ScenarioResult> out;
    ScenarioResult all;
    all.name = QStringLiteral("ui_stall");
    all.unit = scenario.unit;
    all.ours = worst(big);
    all.raw = worst(small);
    all.note = QStringLiteral("longest UI-thread stall, big events vs the same actions on small "
                              "events (raw column); target <= 50 ms; %1 B array payload, %2 B "
                              "string, %3 elements, %4 B pasted")
                   .arg(config.stallArrayBytes)
                   .arg(config.stallStringBytes)
                   .arg(config.stallElements)
                   .arg(config.stallPasteBytes);
    out.append(all);
    for (qsizetype i = 0; i < kActions.size(); ++i) {
        ScenarioResult r;
        r.name = kActions.at(i);
        r.unit = scenario.unit;
        r.ours = worst(action(big, i));
        r.raw = worst(action(small, i));
        out.append(r);
    }
    return out;
}

} // namespace bench
