#include "mainwindow.h"

#include "activitychart.h"
#include "appenddialog.h"
#include "comparedialog.h"
#include "connectdialog.h"
#include "eventdetailview.h"
#include "eventrowmenu.h"
#include "iconprovider.h"
#include "jsonformatter.h"
#include "jumpdialog.h"
#include "liveeventsmodel.h"
#include "liveview.h"
#include "relatedpane.h"
#include "streameventsmodel.h"
#include "streamlistmodel.h"
#include "streammetadatadialog.h"
#include "streamspane.h"
#include "streamview.h"
#include "subscriptionspane.h"
#include "transferdialog.h"

#include <bank/projections.h>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#ifndef EVENTIUM_VERSION
#define EVENTIUM_VERSION "0.0.0"
#endif

namespace eventium::ui {

MainWindow::MainWindow(Options options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_worker(std::make_unique<StoreWorker>())
{
    setObjectName(QStringLiteral("mainWindow"));
    // The State page folds streams by their category's projection: the bank example's account
    // projection is the one the browser knows (bank/projections.h says why it is linked).
    bank::registerProjections(toolkit::ProjectionRegistry::global());
    setWindowTitle(tr("Eventium"));
    setWindowIcon(IconProvider::icon(QStringLiteral("eventium")));
    m_worker->start();

    createLayout();
    createActions();

    connect(m_worker.get(), &StoreWorker::connected, this, &MainWindow::onConnected);
    connect(m_worker.get(), &StoreWorker::timeFound, this, &MainWindow::onTimeFound);
    connect(m_worker.get(), &StoreWorker::connectionStateChanged, this,
            &MainWindow::onConnectionState);
    connect(m_worker.get(), &StoreWorker::failed, this, &MainWindow::onFailed);
    connect(m_worker.get(), &StoreWorker::statsReady, this, &MainWindow::onStats);
    connect(m_worker.get(), &StoreWorker::replicationReady, this, &MainWindow::onReplication);
    connect(m_worker.get(), &StoreWorker::liveRestarted, this,
            [this](quint64, qint64 head) { m_head = head; });
    connect(m_worker.get(), &StoreWorker::liveEvents, this, &MainWindow::onLiveEvents);
    connect(m_worker.get(), &StoreWorker::liveCaughtUp, this, [this](GlobalPosition head) {
        m_head = qMax(m_head, head.value);
        m_liveView->setStoreHead(head.value);
    });
    connect(m_worker.get(), &StoreWorker::progress, this,
            [this](const QString &message) { notify(message, 5000); });
    connect(m_worker.get(), &StoreWorker::sampleDataFilled, this,
            [this](quint64 token, int events) {
                if (token != m_sampleToken)
                    return;
                m_sampleToken = 0;
                notify(tr("Added %1 sample events").arg(events), 5000);
                m_streams->model()->reload();
                updateActions();
                pollStats();
                emit sampleDataReady();
            });

    m_statsTimer = new QTimer(this);
    m_statsTimer->setInterval(1000);
    connect(m_statsTimer, &QTimer::timeout, this, &MainWindow::pollStats);
    m_statsTimer->start();

    if (m_options.restoreState)
        restoreSettings();
    else
        resize(1440, 860);
    updateActions();
    connectTo(m_options.target);
}

MainWindow::~MainWindow()
{
    m_worker->shutdown();
}

StreamListModel *MainWindow::streamsModel() const
{
    return m_streams->model();
}

QTableView *MainWindow::streamsTable() const
{
    return m_streams->table();
}

QLineEdit *MainWindow::streamFilter() const
{
    return m_streams->filter();
}

void MainWindow::createLayout()
{
    // Left: the streams.
    m_streams = new StreamsPane(m_worker.get(), this);
    connect(m_streams, &StreamsPane::streamSelected, this, &MainWindow::onStreamSelected);
    connect(m_streams->model(), &StreamListModel::loadFailed, this,
            [this](const QString &message) { notify(tr("Streams: %1").arg(message), 8000); });

    // Right: the tabs.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);
    m_streamView = new StreamView(m_worker.get(), m_tabs);
    m_liveView = new LiveView(m_worker.get(), m_tabs);
    m_tabs->addTab(m_streamView, IconProvider::icon(QStringLiteral("stream")), tr("Stream"));
    m_tabs->addTab(m_liveView, IconProvider::icon(QStringLiteral("live")), tr("Live"));
    m_subscriptions = new SubscriptionsPane(m_worker.get(), m_tabs);
    m_tabs->addTab(m_subscriptions, IconProvider::icon(QStringLiteral("subscriptions")),
                   tr("Subscriptions"));
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateSubscriptionRefresh);
    connect(m_subscriptions, &SubscriptionsPane::subscriptionsChanged, this,
            [this](const QList<toolkit::SubscriptionStatus> &subscriptions) {
                m_liveView->model()->setCheckpoints(subscriptions);
            });
    connect(m_subscriptions, &SubscriptionsPane::showPositionRequested, this,
            &MainWindow::jumpToPosition);
    connect(m_subscriptions, &SubscriptionsPane::notice, this,
            [this](const QString &m) { notify(m, 5000); });

    // Below: the events related to the current tab's selected event, when asked for.
    m_related = new RelatedPane(m_worker.get(), this);
    m_relatedDock = new QDockWidget(tr("Related Events"), this);
    m_relatedDock->setObjectName(QStringLiteral("relatedDock"));
    m_relatedDock->setWidget(m_related);
    m_relatedDock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, m_relatedDock);
    m_relatedDock->hide();
    auto followSelection = [this] {
        if (auto *view = qobject_cast<StreamView *>(m_tabs->currentWidget()))
            m_related->setEvent(view->detail()->event());
        else if (auto *live = qobject_cast<LiveView *>(m_tabs->currentWidget()))
            m_related->setEvent(live->detail()->event());
    };
    connect(m_tabs, &QTabWidget::currentChanged, this, followSelection);
    for (EventDetailView *detail : {m_streamView->detail(), m_liveView->detail()})
        connect(detail, &EventDetailView::eventChanged, this, followSelection);
    connect(m_related, &RelatedPane::openRequested, this, &MainWindow::openStreamAt);
    connect(m_related, &RelatedPane::copied, this, [this](const QString &m) { notify(m, 3000); });

    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->setChildrenCollapsible(false);
    m_mainSplitter->addWidget(m_streams);
    // Above the tabs: the activity of what the current tab shows.
    m_activity = new ActivityChart(m_worker.get(), this);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActivityScope);
    connect(m_activity, &ActivityChart::bucketClicked, this,
            [this](const QDateTime &start, const QString &stream) {
                // As a jump to a time (Ctrl+G): the server finds the first event at or after.
                if (!stream.isEmpty() && stream != m_streamView->stream())
                    return;
                m_timeToken = m_worker->findTime(start, stream);
                notify(tr("Looking for %1…").arg(JsonFormatter::displayTime(start)));
            });
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    rightLayout->addWidget(m_activity);
    rightLayout->addWidget(m_tabs, 1);
    m_mainSplitter->addWidget(right);
    m_mainSplitter->setStretchFactor(0, 0);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({340, 1100});
    m_streamView->splitter()->setSizes({560, 540});
    m_liveView->splitter()->setSizes({680, 420});
    // Across the top while the server cannot be reached: what happened, and what to do.
    m_outage = new QFrame(this);
    m_outage->setObjectName(QStringLiteral("outage"));
    m_outage->setStyleSheet(
        QStringLiteral("#outage { background: #fdecea; border-bottom: 1px solid #f5c2c0; } "
                       "#outage QLabel { color: #8e1c1c; }"));
    auto *outageLayout = new QHBoxLayout(m_outage);
    outageLayout->setContentsMargins(10, 6, 10, 6);
    m_outageLabel = new QLabel(m_outage);
    m_outageLabel->setObjectName(QStringLiteral("outageText"));
    m_outageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // However long libpq's reason, it wraps within the window instead of widening it.
    m_outageLabel->setWordWrap(true);
    m_outageLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_outageLabel->setMinimumWidth(200);
    outageLayout->addWidget(m_outageLabel, 1);
    m_retryButton = new QPushButton(tr("&Retry Now"), m_outage);
    m_retryButton->setObjectName(QStringLiteral("retryNow"));
    connect(m_retryButton, &QPushButton::clicked, this, [this] { m_worker->retryNow(); });
    outageLayout->addWidget(m_retryButton);
    m_restartButton = new QPushButton(tr("Re&start Embedded Server"), m_outage);
    m_restartButton->setObjectName(QStringLiteral("restartServer"));
    m_restartButton->setToolTip(tr("Start the embedded PostgreSQL again and reconnect"));
    connect(m_restartButton, &QPushButton::clicked, this, [this] {
        m_restartButton->setEnabled(false);
        m_restartToken = m_worker->restartEmbedded();
        m_outageLabel->setText(tr("Starting the embedded server…"));
    });
    outageLayout->addWidget(m_restartButton);
    m_outage->hide();

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_outage);
    centralLayout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);

    // Status bar.
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionState"));
    m_connectionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readOnlyLabel = new QLabel(tr("read-only"), this);
    m_readOnlyLabel->setObjectName(QStringLiteral("readOnly"));
    m_readOnlyLabel->setStyleSheet(
        QStringLiteral("color: #b26a00; font-weight: bold; padding: 0 6px;"));
    m_readOnlyLabel->hide();
    m_roleLabel = new QLabel(this);
    m_roleLabel->setObjectName(QStringLiteral("readRole"));
    m_headLabel = new QLabel(this);
    m_headLabel->setObjectName(QStringLiteral("head"));
    m_pendingLabel = new QLabel(this);
    m_pendingLabel->setObjectName(QStringLiteral("pending"));
    // Notices (a copy, an append, a reconnection) have a label of their own beside the
    // connection's, so neither ever hides or covers the other.
    m_noticeLabel = new QLabel(this);
    m_noticeLabel->setObjectName(QStringLiteral("notice"));
    m_noticeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_noticeTimer = new QTimer(this);
    m_noticeTimer->setSingleShot(true);
    connect(m_noticeTimer, &QTimer::timeout, m_noticeLabel, &QLabel::clear);
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_noticeLabel);
    statusBar()->addPermanentWidget(m_readOnlyLabel);
    statusBar()->addPermanentWidget(m_roleLabel);
    statusBar()->addPermanentWidget(m_headLabel);
    statusBar()->addPermanentWidget(m_pendingLabel);

    connect(m_streamView->detail(), &EventDetailView::copied, this,
            [this](const QString &m) { notify(m, 3000); });
    connect(m_streams, &StreamsPane::copied, this, [this](const QString &m) { notify(m, 3000); });
    connect(m_streams, &StreamsPane::appendRequested, this, &MainWindow::openAppendDialog);
    connect(m_streams, &StreamsPane::deleteRequested, this, &MainWindow::askToDeleteStream);
    connect(m_streams, &StreamsPane::truncateRequested, this, &MainWindow::askToTruncateStream);
    connect(m_streams, &StreamsPane::metadataRequested, this, &MainWindow::editStreamMetadata);
    connect(m_worker.get(), &StoreWorker::streamChanged, this, &MainWindow::onStreamChanged);
    connect(m_streams, &StreamsPane::searchLiveRequested, this, [this](const QString &stream) {
        m_tabs->setCurrentWidget(m_liveView);
        m_liveView->setSearch(LiveView::SearchStream, stream);
    });
    for (EventDetailView *detail : {m_streamView->detail(), m_liveView->detail()}) {
        connect(detail, &EventDetailView::searchRequested, this, [this](const QString &where) {
            m_tabs->setCurrentWidget(m_liveView);
            m_liveView->setSearch(LiveView::SearchWhere, where);
        });
    }
    for (EventRowMenu *menu : {m_streamView->rowMenu(), m_liveView->rowMenu()}) {
        connect(menu, &EventRowMenu::copied, this, [this](const QString &m) { notify(m, 3000); });
        connect(menu, &EventRowMenu::eraseRequested, this, &MainWindow::askToErase);
        connect(menu, &EventRowMenu::duplicateRequested, this, &MainWindow::duplicateEvent);
        connect(menu, &EventRowMenu::compareWithPreviousRequested, this,
                [this](const RecordedEvent &e) { m_compareToken = m_worker->previousOfType(e); });
        connect(menu, &EventRowMenu::relatedRequested, this, &MainWindow::showRelated);
        connect(menu, &EventRowMenu::markForComparisonRequested, this,
                [this](const RecordedEvent &e) {
                    for (EventRowMenu *m : {m_streamView->rowMenu(), m_liveView->rowMenu()})
                        m->setMarked(e);
                    notify(tr("Marked %1 #%2 “%3”: choose “Compare with Marked” on another event")
                               .arg(e.stream)
                               .arg(e.version.value)
                               .arg(e.type),
                           8000);
                });
        connect(menu, &EventRowMenu::compareRequested, this,
                [this](const RecordedEvent &before, const RecordedEvent &after) {
                    auto *dialog = new CompareDialog(before, after, this);
                    dialog->setAttribute(Qt::WA_DeleteOnClose);
                    dialog->open();
                });
    }
    connect(m_worker.get(), &StoreWorker::erased, this, &MainWindow::onErased);
    connect(m_worker.get(), &StoreWorker::previousFound, this, &MainWindow::onPreviousFound);
    connect(m_streamView->rowMenu(), &EventRowMenu::showInLiveRequested, this,
            &MainWindow::jumpToPosition);
    connect(m_streamView->rowMenu(), &EventRowMenu::filterByTypeRequested, this,
            [this](const QString &type) {
                m_tabs->setCurrentWidget(m_liveView);
                m_liveView->setTypeFilter(type);
            });
    connect(m_liveView->detail(), &EventDetailView::copied, this,
            [this](const QString &m) { notify(m, 3000); });
    connect(m_streamView->model(), &StreamEventsModel::loadFailed, this,
            [this](const QString &m) { notify(tr("Stream: %1").arg(m), 8000); });
    connect(m_liveView->model(), &LiveEventsModel::loadFailed, this,
            [this](const QString &m) { notify(tr("Live: %1").arg(m), 8000); });
}

void MainWindow::notify(const QString &text, int milliseconds)
{
    m_noticeLabel->setText(text);
    if (milliseconds > 0)
        m_noticeTimer->start(milliseconds);
    else
        m_noticeTimer->stop();
}

void MainWindow::createActions()
{
    auto make
        = [this](const QString &text, const QString &icon, const QKeySequence &key, auto slot) {
              auto *action = new QAction(IconProvider::icon(icon), text, this);
              if (!key.isEmpty()) {
                  action->setShortcut(key);
                  action->setToolTip(QStringLiteral("%1 (%2)").arg(
                      QString(text).remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                      key.toString(QKeySequence::NativeText)));
              }
              connect(action, &QAction::triggered, this, slot);
              addAction(action);
              return action;
          };
    m_connectAction = make(tr("&Connect…"), QStringLiteral("connect"), QKeySequence(tr("Ctrl+L")),
                           [this] { openConnectDialog(); });
    m_refreshAction = make(tr("&Refresh"), QStringLiteral("refresh"), QKeySequence(Qt::Key_F5),
                           [this] { refresh(); });
    m_appendAction = make(tr("&Append Event…"), QStringLiteral("append"),
                          QKeySequence(tr("Ctrl+N")), [this] { openAppendDialog(); });
    m_sampleAction = make(tr("Add &Sample Data"), QStringLiteral("sample"), QKeySequence(),
                          [this] { askToFillSampleData(); });
    m_followAction = make(tr("&Follow Live Events"), QStringLiteral("pause"),
                          QKeySequence(Qt::Key_Space), [this] { m_liveView->togglePaused(); });
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_jumpAction = make(tr("&Jump to…"), QStringLiteral("jump"), QKeySequence(tr("Ctrl+G")),
                        [this] { askJump(); });
    m_jumpAction->setToolTip(tr("Go to a position (Live), a version (Stream) or a time (Ctrl+G)"));
    m_filterAction = make(tr("&Filter Streams"), QString(), QKeySequence(tr("Ctrl+F")),
                          [this] { m_streams->focusFilter(); });
    m_copyAction = make(tr("&Copy Event as JSON"), QStringLiteral("copy"),
                        QKeySequence(tr("Ctrl+C")), [this] { copyCurrentEvent(); });
    auto *aboutAction = make(tr("&About Eventium"), QStringLiteral("about"), QKeySequence(),
                             [this] { showAbout(); });
    auto *quitAction
        = make(tr("&Quit"), QString(), QKeySequence(QKeySequence::Quit), [this] { close(); });
    auto *liveTypeFilter
        = make(tr("Filter Live by &Type"), QString(), QKeySequence(tr("Ctrl+Shift+F")), [this] {
              m_tabs->setCurrentWidget(m_liveView);
              m_liveView->focusFilter();
          });
    connect(m_liveView, &LiveView::openStreamRequested, this, &MainWindow::openStreamAt);
    connect(m_worker.get(), &StoreWorker::streamInfoReady, this,
            [this](quint64 token, const QString &stream, bool exists, const StreamInfo &info) {
                if (token != m_openAtToken || !exists)
                    return;
                m_openAtToken = 0;
                openStream(stream, info.version.value);
                m_streamView->selectVersion(m_openAtVersion);
            });
    connect(m_liveView, &LiveView::pausedChanged, this, [this](bool paused) {
        m_followAction->setChecked(!paused);
        m_followAction->setIcon(
            IconProvider::icon(paused ? QStringLiteral("play") : QStringLiteral("pause")));
    });

    m_exportAction = make(tr("&Export Events…"), QString(), QKeySequence(tr("Ctrl+E")),
                          [this] { openTransferDialog(false); });
    m_importAction = make(tr("&Import Events…"), QString(), QKeySequence(tr("Ctrl+I")),
                          [this] { openTransferDialog(true); });
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_connectAction);
    file->addAction(m_sampleAction);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addAction(m_importAction);
    file->addSeparator();
    file->addAction(quitAction);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_appendAction);
    edit->addAction(m_copyAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_refreshAction);
    view->addAction(m_filterAction);
    view->addAction(liveTypeFilter);
    QAction *related = m_relatedDock->toggleViewAction();
    related->setText(tr("&Related Events"));
    related->setShortcut(QKeySequence(tr("Ctrl+R")));
    related->setToolTip(tr("The events of the selected event's process, and its causes and "
                           "effects (Ctrl+R)"));
    addAction(related); // its shortcut works wherever the focus is, like the others'
    view->addAction(related);
    view->addSeparator();
    view->addAction(m_followAction);
    view->addAction(m_jumpAction);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(18, 18));
    bar->addAction(m_connectAction);
    bar->addAction(m_refreshAction);
    bar->addSeparator();
    bar->addAction(m_appendAction);
    bar->addAction(m_sampleAction);
    bar->addSeparator();
    bar->addAction(m_followAction);
    bar->addAction(m_jumpAction);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 860);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_mainSplitter->restoreState(s.value(QStringLiteral("window/mainSplitter")).toByteArray());
    m_streamView->splitter()->restoreState(
        s.value(QStringLiteral("window/streamSplitter")).toByteArray());
    m_liveView->splitter()->restoreState(
        s.value(QStringLiteral("window/liveSplitter")).toByteArray());
    m_streamView->detail()->splitter()->restoreState(
        s.value(QStringLiteral("window/streamDetailSplitter")).toByteArray());
    m_liveView->detail()->splitter()->restoreState(
        s.value(QStringLiteral("window/liveDetailSplitter")).toByteArray());
    m_tabs->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
    m_streams->setOrder(s.value(QStringLiteral("streams/order"), 0).toInt() == 1
                            ? StreamOrder::ByRecency
                            : StreamOrder::ByName);
    m_streamView->setNewestFirst(s.value(QStringLiteral("stream/newestFirst"), false).toBool());
}

void MainWindow::saveSettings()
{
    if (!m_options.restoreState)
        return;
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    s.setValue(QStringLiteral("window/streamSplitter"), m_streamView->splitter()->saveState());
    s.setValue(QStringLiteral("window/liveSplitter"), m_liveView->splitter()->saveState());
    s.setValue(QStringLiteral("window/streamDetailSplitter"),
               m_streamView->detail()->splitter()->saveState());
    s.setValue(QStringLiteral("window/liveDetailSplitter"),
               m_liveView->detail()->splitter()->saveState());
    s.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("streams/order"),
               m_streams->order() == StreamOrder::ByRecency ? 1 : 0);
    s.setValue(QStringLiteral("stream/newestFirst"), m_streamView->model()->newestFirst());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::connectTo(const ConnectionTarget &target)
{
    m_options.target = target;
    m_connected = false;
    m_lostConnection = false;
    m_statsToken = 0;
    m_replicationToken = 0;
    m_sampleToken = 0;
    m_info = ConnectionInfo {};
    m_roleLabel->clear();
    m_roleLabel->setToolTip(QString());
    m_streams->setConnected(false);
    m_streams->clear();
    m_subscriptions->setConnected(false);
    m_subscriptions->clear();
    updateSubscriptionRefresh();
    m_streamView->setStream(QString(), 0);
    m_liveView->reset(0);
    m_connectionLabel->setText(
        target.embedded ? tr("Starting embedded PostgreSQL…")
                        : tr("Connecting to %1…").arg(target.options.shortDescription()));
    m_connectToken = m_worker->connectTo(target);
    updateActions();
}

QString MainWindow::connectionText() const
{
    QString text = m_info.description;
    // "15.5 (Debian 15.5-0+deb12u1)": the version number is enough here.
    const QString version = m_info.serverVersion.section(QLatin1Char(' '), 0, 0);
    if (!version.isEmpty())
        text += tr(" · PostgreSQL %1").arg(version);
    if (m_info.schema != QLatin1String("eventium"))
        text += tr(" · schema %1").arg(m_info.schema);
    if (!m_info.readDescription.isEmpty())
        text += tr(" · reads from %1").arg(m_info.readDescription);
    return text;
}

void MainWindow::onConnected(quint64 token, const ConnectionInfo &info)
{
    if (token != m_connectToken)
        return;
    m_connectToken = 0;
    m_info = info;
    m_connected = true;
    m_head = info.head;
    m_connectionLabel->setStyleSheet(QString());
    m_connectionLabel->setText(connectionText());
    m_connectionLabel->setToolTip(connectionTooltip());
    m_readOnlyLabel->setVisible(info.readOnly);
    for (EventRowMenu *menu : {m_streamView->rowMenu(), m_liveView->rowMenu()})
        menu->setWritable(!info.readOnly);
    m_readOnlyLabel->setToolTip(info.readOnlyReason);
    m_streams->setConnected(true);
    m_streams->load();
    m_subscriptions->setWritable(!info.readOnly, info.readOnlyReason);
    m_subscriptions->setConnected(true);
    m_subscriptions->refresh();
    updateSubscriptionRefresh();
    m_liveView->reset(info.head);
    updateActivityScope();
    m_activity->refresh();
    m_headLabel->setText(tr("Head %1").arg(QLocale().toString(info.head)));
    updateActions();
    pollStats();
    emit connectedToStore(info);
    if (m_options.sample && info.head == 0 && !info.readOnly) {
        m_options.sample = false;
        fillSampleData();
    }
}

void MainWindow::onConnectionState(bool connected, const QString &message)
{
    if (m_connectToken != 0)
        return; // the answer to the connect request says what happened
    if (!connected) {
        m_lostConnection = true;
        m_connected = false;
        m_streams->setConnected(false);
        m_subscriptions->setConnected(false);
        // libpq's messages run over several lines: the first one says it, the tooltip all.
        const QString reason = message.section(QLatin1Char('\n'), 0, 0).trimmed();
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_connectionLabel->setText(tr("Connection lost, reconnecting…"));
        m_connectionLabel->setToolTip(message);
        setOffline(true, reason);
    } else if (!m_info.description.isEmpty()) {
        m_connected = true;
        setOffline(false, QString());
        m_streams->setConnected(true);
        m_subscriptions->setConnected(true);
        m_connectionLabel->setStyleSheet(QString());
        m_connectionLabel->setText(connectionText());
        m_connectionLabel->setToolTip(connectionTooltip());
        if (m_lostConnection) {
            m_lostConnection = false;
            notify(tr("Reconnected"), 4000);
            m_streamView->model()->reload();
            m_liveView->model()->reload();
            if (m_streams->model()->rowCount() == 0)
                m_streams->model()->reload();
        }
    }
    updateActions();
}

QString MainWindow::connectionTooltip() const
{
    QString text = tr("PostgreSQL %1, schema %2 (version %3)")
                       .arg(m_info.serverVersion, m_info.schema)
                       .arg(m_info.schemaVersion);
    if (!m_info.readDescription.isEmpty())
        text += QLatin1Char('\n')
            + tr("Writes go to %1, reads come from %2")
                  .arg(m_info.description, m_info.readDescription);
    return text;
}

void MainWindow::setOffline(bool offline, const QString &reason)
{
    m_streams->setOffline(offline);
    m_subscriptions->setOffline(offline);
    m_streamView->setOffline(offline);
    m_liveView->model()->setOffline(offline);
    m_outage->setVisible(offline);
    if (!offline) {
        m_restartToken = 0;
        return;
    }
    m_outageLabel->setText(
        m_info.embedded
            ? tr("The embedded server is not reachable (%1). Retrying by itself; or start it "
                 "again.")
                  .arg(reason)
            : tr("The server is not reachable (%1). Retrying by itself; what was loaded stays "
                 "on screen.")
                  .arg(reason));
    m_outageLabel->setToolTip(reason);
    m_restartButton->setVisible(m_info.embedded);
    m_restartButton->setEnabled(m_restartToken == 0);
}

void MainWindow::onFailed(quint64 token, const StoreError &error)
{
    if (token != 0 && token == m_restartToken) {
        m_restartToken = 0;
        m_restartButton->setEnabled(true);
        m_outageLabel->setText(tr("The embedded server did not start: %1").arg(error.toString()));
        m_outageLabel->setToolTip(error.toString());
        return;
    }
    if (token == m_connectToken) {
        m_connectToken = 0;
        m_connectionLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_connectionLabel->setText(tr("Not connected: %1").arg(error.toString()));
        qCWarning(lcUi).noquote() << "connect failed:" << error.toString();
        updateActions();
        emit connectFailed(error.toString());
        return;
    }
    if (token == m_statsToken || token == m_replicationToken) {
        m_statsToken = 0;
        m_replicationToken = 0;
        return;
    }
    if (token == m_sampleToken) {
        m_sampleToken = 0;
        updateActions();
        QMessageBox::warning(this, tr("Sample Data"),
                             tr("Could not add sample data:\n%1").arg(error.toString()));
    }
}

void MainWindow::pollStats()
{
    if (!m_connected || m_statsToken != 0)
        return;
    m_statsToken = m_worker->fetchStats();
    m_replicationToken = m_statsToken;
}

QString MainWindow::roleText(const ReplicationStatus &status)
{
    if (!status.standby)
        return tr("primary");
    if (!status.replayLag)
        return tr("standby · lag unknown");
    const qint64 ms = status.replayLag->count();
    return ms < 10000 ? tr("standby · lag %1 ms").arg(ms)
                      : tr("standby · lag %1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

void MainWindow::onReplication(quint64 token, const ReplicationStatus &status)
{
    if (token != m_replicationToken)
        return;
    m_replicationToken = 0;
    m_roleLabel->setText(roleText(status));
    // A standby well behind shows it in colour.
    const bool behind = status.standby && (!status.replayLag || status.replayLag->count() >= 5000);
    m_roleLabel->setStyleSheet(behind ? QStringLiteral("color: #b26a00;") : QString());
    const QString from
        = m_info.readDescription.isEmpty() ? m_info.description : m_info.readDescription;
    m_roleLabel->setToolTip(
        status.standby
            ? tr("Reads come from %1, a hot standby: it shows what it has replayed of its "
                 "primary's writes (%2 bytes of WAL received and not yet replayed)")
                  .arg(from, QLocale().toString(status.replayBytesBehind))
            : tr("Reads come from %1, a primary").arg(from));
}

void MainWindow::onStats(quint64 token, const StoreStats &stats)
{
    if (token != m_statsToken)
        return;
    m_statsToken = 0;
    m_head = qMax(m_head, stats.headPosition);
    m_streams->setTotalStreams(stats.streams);
    m_liveView->setStoreHead(stats.headPosition);
    m_headLabel->setText(tr("Head %1").arg(QLocale().toString(stats.headPosition)));
    m_headLabel->setToolTip(
        tr("%1 events in %2 streams")
            .arg(QLocale().toString(stats.events), QLocale().toString(stats.streams)));
    if (stats.pending > 0) {
        m_pendingLabel->setText(tr("%1 pending · lag %2 s")
                                    .arg(QLocale().toString(stats.pending))
                                    .arg(stats.lagSeconds, 0, 'f', 1));
        m_pendingLabel->setToolTip(
            stats.oldestRunningXid.isEmpty()
                ? QString()
                : tr("Numbering waits for transaction %1").arg(stats.oldestRunningXid));
    } else {
        m_pendingLabel->setText(tr("0 pending"));
        m_pendingLabel->setToolTip(QString());
    }
    updateActions();
}

void MainWindow::onLiveEvents(const QList<RecordedEvent> &events)
{
    if (!events.isEmpty())
        m_head = qMax(m_head, events.last().position.value);
    m_liveView->applyLiveEvents(events);
    m_streamView->model()->applyLiveEvents(events);
    m_streams->applyLiveEvents(events);
    if (!events.isEmpty())
        m_activity->noteNewEvents();
    if (!m_streamView->stream().isEmpty() && !m_streamView->detail()->event())
        m_streamView->detail()->setEvent(m_streamView->currentEvent());
}

void MainWindow::onStreamSelected(const StreamInfo &info)
{
    if (info.name == m_streamView->stream())
        return;
    m_streamView->setStream(info.name, info.version.value);
    m_tabs->setCurrentWidget(m_streamView);
    updateActivityScope();
}

TransferDialog *MainWindow::openTransferDialog(bool importing)
{
    if (!m_connected)
        return nullptr;
    TransferDialog::Context context;
    context.options = m_info.options;
    context.schema = m_info.schema;
    context.stream = m_streamView->stream();
    context.streamVersion = m_streamView->model()->streamVersion();
    context.head = m_head;
    context.liveFilter = m_liveView->model()->filter();
    if (m_tabs->currentWidget() == m_liveView)
        context.selected = m_liveView->currentEvent();
    else if (m_tabs->currentWidget() == m_streamView)
        context.selected = m_streamView->currentEvent();
    context.readOnly = m_info.readOnly;
    auto *dialog = new TransferDialog(
        importing ? TransferDialog::Mode::Import : TransferDialog::Mode::Export, context, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &TransferDialog::finished, this, [this, importing](const QString &s, bool ok) {
        notify(s, 10000);
        if (ok && importing)
            refresh();
    });
    dialog->open();
    return dialog;
}

void MainWindow::showRelated(const RecordedEvent &event)
{
    m_related->setEvent(event);
    m_relatedDock->show();
    m_relatedDock->raise();
}

void MainWindow::openStreamAt(const QString &name, qint64 version)
{
    m_openAtVersion = version;
    m_openAtToken = m_worker->streamInfo(name);
}

void MainWindow::openStream(const QString &name, qint64 version)
{
    m_streams->selectStream(name);
    m_streamView->setStream(name, version);
    m_tabs->setCurrentWidget(m_streamView);
    updateActivityScope();
}

void MainWindow::updateActions()
{
    const bool writable = m_connected && !m_info.readOnly;
    m_appendAction->setEnabled(writable);
    m_appendAction->setToolTip(m_info.readOnly ? tr("Read-only: %1").arg(m_info.readOnlyReason)
                                               : tr("Append a test event (Ctrl+N)"));
    m_sampleAction->setEnabled(writable && m_sampleToken == 0);
    m_sampleAction->setToolTip(m_head > 0 ? tr("Add realistic sample data (the store is not empty)")
                                          : tr("Fill the empty store with realistic sample data"));
    m_refreshAction->setEnabled(m_connected);
    m_jumpAction->setEnabled(m_connected);
    m_exportAction->setEnabled(m_connected);
    m_importAction->setEnabled(writable);
}

void MainWindow::updateSubscriptionRefresh()
{
    QWidget *current = m_tabs->currentWidget();
    m_subscriptions->setActive(m_connected
                               && (current == m_subscriptions || current == m_liveView));
}

void MainWindow::refresh()
{
    if (!m_connected)
        return;
    m_streams->reload();
    m_streamView->model()->reload();
    m_liveView->model()->reload();
    m_subscriptions->refresh();
    pollStats();
}

AppendDialog *MainWindow::openAppendDialog(const QString &stream)
{
    if (!m_appendAction->isEnabled())
        return nullptr;
    if (m_appendDialog) {
        if (!stream.isEmpty())
            m_appendDialog->streamCombo()->setEditText(stream);
        m_appendDialog->raise();
        m_appendDialog->activateWindow();
        return m_appendDialog;
    }
    QStringList names;
    const StreamListModel *streams = m_streams->model();
    for (int row = 0; row < qMin(streams->rowCount(), 2000); ++row)
        names.append(streams->streamAt(row).name);
    auto *dialog = new AppendDialog(m_worker.get(), names,
                                    stream.isEmpty() ? m_streamView->stream() : stream, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AppendDialog::appended, this, &MainWindow::onAppended);
    m_appendDialog = dialog;
    dialog->open();
    return dialog;
}

void MainWindow::onPreviousFound(quint64 token, const RecordedEvent &event, bool found,
                                 const RecordedEvent &previous)
{
    if (token != m_compareToken)
        return;
    m_compareToken = 0;
    if (!found) {
        notify(tr("%1 #%2 is the first “%3” event of its stream: nothing to compare it with")
                   .arg(event.stream)
                   .arg(event.version.value)
                   .arg(event.type),
               6000);
        return;
    }
    auto *dialog = new CompareDialog(previous, event, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::duplicateEvent(const RecordedEvent &event)
{
    AppendDialog *dialog = openAppendDialog(event.stream);
    if (!dialog)
        return;
    dialog->streamCombo()->setEditText(event.stream);
    dialog->prefill(event.type, event.data, event.metadata);
}

void MainWindow::onAppended(const AppendResult &result, const QString &stream)
{
    notify(tr("Appended to %1 at version %2").arg(stream).arg(result.lastVersion.value), 5000);
    if (stream == m_streamView->stream()) {
        m_streamView->model()->growTo(result.lastVersion.value);
        m_streamView->selectVersion(result.lastVersion.value);
    } else {
        m_streams->selectStream(stream);
        m_streams->reload();
        m_streamView->setStream(stream, result.lastVersion.value);
        m_streamView->selectVersion(result.lastVersion.value);
        m_tabs->setCurrentWidget(m_streamView);
    }
    pollStats();
}

void MainWindow::openConnectDialog()
{
    auto *dialog = new ConnectDialog(m_options.target, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { connectTo(dialog->target()); });
    dialog->open();
}

void MainWindow::askToErase(const RecordedEvent &event)
{
    if (!m_connected || m_info.readOnly || event.isErased())
        return;
    // What goes, named: the event's place stays, its data does not come back.
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Erase Event Data"),
        tr("Erase the data of %1 #%2 (%3, id %4)?\n\nIts payload and metadata are replaced for "
           "good; the event keeps its id, type, version and position. Copies in the server's "
           "WAL, backups and replicas remain as long as they are kept.")
            .arg(event.stream)
            .arg(event.version.value)
            .arg(event.type, event.id.toString(QUuid::WithoutBraces)),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmErase"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *erase = box->addButton(tr("&Erase Data"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(erase, &QPushButton::clicked, this,
            [this, event] { m_eraseToken = m_worker->erase(event); });
    box->open();
}

void MainWindow::onErased(quint64 token, const EraseResult &result, const RecordedEvent &event)
{
    if (token != m_eraseToken)
        return;
    m_eraseToken = 0;
    notify(result.status == EraseResult::Status::NotFound
               ? tr("No event has the id %1").arg(event.id.toString(QUuid::WithoutBraces))
               : tr("Erased the data of %1 #%2").arg(event.stream).arg(event.version.value),
           5000);
    m_streamView->model()->updateEvent(event);
    m_liveView->model()->updateEvent(event);
    for (EventDetailView *detail : {m_streamView->detail(), m_liveView->detail()}) {
        if (detail->event() && detail->event()->id == event.id)
            detail->setEvent(event);
    }
}

void MainWindow::askToDeleteStream(const StreamInfo &info)
{
    if (!m_connected)
        return;
    if (m_info.readOnly) {
        notify(tr("Read-only: %1").arg(m_info.readOnlyReason), 5000);
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Delete Stream"),
        tr("Delete the stream %1 and its events up to version %2?\n\nReaders no longer see them, "
           "and it leaves "
           "the list. Their positions stay taken; a scavenge removes their rows. Unless deleted "
           "for good, the next append to %1 brings the stream back, its versions going on "
           "after %3.")
            .arg(info.name, QLocale().toString(info.version.value))
            .arg(info.version.value),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeleteStream"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    auto *hard = new QCheckBox(tr("Delete for &good: the name can never be written again"), box);
    hard->setObjectName(QStringLiteral("deleteForGood"));
    box->setCheckBox(hard);
    QPushButton *remove = box->addButton(tr("&Delete Stream"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    // Only if nobody wrote to it since it was shown: what was named is what goes.
    connect(remove, &QPushButton::clicked, this, [this, info, hard] {
        m_streamChangeToken
            = m_worker->deleteStream(info.name, info.version.value, hard->isChecked());
    });
    box->open();
}

void MainWindow::askToTruncateStream(const StreamInfo &info)
{
    if (!m_connected)
        return;
    if (m_info.readOnly) {
        notify(tr("Read-only: %1").arg(m_info.readOnlyReason), 5000);
        return;
    }
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("truncateStream"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Truncate Stream"));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setLabelText(tr("Hide the events of %1 before version (of %2; it never moves back):")
                             .arg(info.name)
                             .arg(info.version.value));
    dialog->setIntRange(int(qMin<qint64>(info.firstVisible.value, 1 << 30)) + 1,
                        int(qMin<qint64>(info.version.value + 1, 1 << 30)));
    dialog->setIntValue(int(qMin<qint64>(info.version.value, 1 << 30)));
    dialog->setOkButtonText(tr("&Truncate"));
    connect(dialog, &QInputDialog::intValueSelected, this, [this, name = info.name](int before) {
        m_streamChangeToken = m_worker->truncateStream(name, before);
    });
    dialog->open();
}

void MainWindow::editStreamMetadata(const StreamInfo &info)
{
    if (!m_connected)
        return;
    auto *dialog = new StreamMetadataDialog(info, this);
    dialog->setObjectName(QStringLiteral("streamMetadata"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_info.readOnly) {
        // Shown, not editable.
        dialog->buttons()->button(QDialogButtonBox::Ok)->setEnabled(false);
        dialog->buttons()
            ->button(QDialogButtonBox::Ok)
            ->setToolTip(tr("Read-only: %1").arg(m_info.readOnlyReason));
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_streamChangeToken = m_worker->setStreamMetadata(dialog->stream(), dialog->metadata());
    });
    dialog->open();
}

void MainWindow::onStreamChanged(quint64 token, const QString &stream, const QString &message)
{
    if (token != m_streamChangeToken)
        return;
    m_streamChangeToken = 0;
    notify(message, 5000);
    m_streams->model()->reload();
    // The stream shown and the Live tab show what readers see now.
    if (m_streamView->stream() == stream)
        m_streamView->setStream(stream, m_streamView->model()->rowCount());
    m_liveView->model()->forgetLoaded();
}

void MainWindow::askToFillSampleData()
{
    if (!m_connected || m_info.readOnly || m_sampleToken != 0)
        return;
    if (m_head == 0) {
        fillSampleData();
        return;
    }
    // Fake events in a store that holds real ones are hard to tell apart later: ask first.
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Add Sample Data"),
        tr("The store already holds %1 events. Add %2 events of the bank example to it?")
            .arg(QLocale().toString(m_head), QLocale().toString(m_options.sampleEvents)),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmSample"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *add = box->addButton(tr("&Add Sample Data"), QMessageBox::AcceptRole);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(add, &QPushButton::clicked, this, &MainWindow::fillSampleData);
    box->open();
}

void MainWindow::fillSampleData()
{
    if (!m_connected || m_info.readOnly || m_sampleToken != 0)
        return;
    // The same seed twice into one schema would collide: only an empty store gets the
    // reproducible one.
    const quint32 seed = m_head == 0 ? 42u : QRandomGenerator::global()->generate();
    m_sampleToken = m_worker->fillSampleData(m_options.sampleEvents, seed);
    notify(tr("Adding sample data…"));
    updateActions();
}

void MainWindow::copyCurrentEvent()
{
    // Text selected where the focus is (part of a payload, a field) is what Ctrl+C copies;
    // without a selection, the whole event.
    QWidget *focus = QApplication::focusWidget();
    if (auto *text = qobject_cast<QPlainTextEdit *>(focus);
        text && text->textCursor().hasSelection()) {
        text->copy();
        return;
    }
    if (auto *line = qobject_cast<QLineEdit *>(focus); line && line->hasSelectedText()) {
        line->copy();
        return;
    }
    if (auto *label = qobject_cast<QLabel *>(focus); label && label->hasSelectedText()) {
        QApplication::clipboard()->setText(label->selectedText());
        return;
    }
    if (m_tabs->currentWidget() == m_liveView)
        m_liveView->detail()->copyAsJson();
    else
        m_streamView->detail()->copyAsJson();
}

void MainWindow::askJump()
{
    if (!m_connected)
        return;
    const bool inStream
        = m_tabs->currentWidget() == m_streamView && !m_streamView->stream().isEmpty();
    auto *dialog = inStream
        ? new JumpDialog(tr("Jump to Version or Time"),
                         tr("Version of %1 (1 – %2), or a time:")
                             .arg(m_streamView->stream(),
                                  QLocale().toString(m_streamView->model()->streamVersion())),
                         tr("version"), this)
        : new JumpDialog(tr("Jump to Position or Time"),
                         tr("Global position (1 – %1), or a time:").arg(QLocale().toString(m_head)),
                         tr("position"), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { jumpTo(dialog->edit()->text()); });
    dialog->open();
}

bool MainWindow::jumpTo(const QString &text)
{
    const bool inStream
        = m_tabs->currentWidget() == m_streamView && !m_streamView->stream().isEmpty();
    const JumpTarget target = JumpTarget::parse(text);
    if (!target.isValid()) {
        notify((inStream ? tr("Not a version or a time: %1") : tr("Not a position or a time: %1"))
                   .arg(text),
               5000);
        return false;
    }
    if (target.time.isValid()) {
        // The server knows which event comes first at or after a time.
        m_timeToken
            = m_worker->findTime(target.time, inStream ? m_streamView->stream() : QString());
        notify(tr("Looking for %1…").arg(JsonFormatter::displayTime(target.time)));
        return true;
    }
    const qint64 number = target.number;
    if (inStream) {
        const qint64 last = m_streamView->model()->streamVersion();
        if (number > last) {
            notify(tr("%1 has %2 events").arg(m_streamView->stream(), QLocale().toString(last)),
                   5000);
            return false;
        }
        m_streamView->selectVersion(number);
        m_streamView->table()->setFocus();
        return true;
    }
    jumpToPosition(number);
    return true;
}

void MainWindow::onTimeFound(quint64 token, const QString &stream, const QDateTime &time,
                             qint64 found)
{
    if (token != m_timeToken)
        return;
    m_timeToken = 0;
    const QString when = JsonFormatter::displayTime(time);
    if (found == 0) {
        notify(stream.isEmpty() ? tr("No event at or after %1").arg(when)
                                : tr("No event of %1 at or after %2").arg(stream, when),
               5000);
        return;
    }
    notify(QString());
    if (stream.isEmpty()) {
        jumpToPosition(found);
    } else if (stream == m_streamView->stream()) {
        m_tabs->setCurrentWidget(m_streamView);
        m_streamView->selectVersion(found);
        m_streamView->table()->setFocus();
    }
}

void MainWindow::updateActivityScope()
{
    m_activity->setStream(m_tabs->currentWidget() == m_streamView ? m_streamView->stream()
                                                                  : QString());
}

void MainWindow::jumpToPosition(qint64 position)
{
    m_tabs->setCurrentWidget(m_liveView);
    if (!m_liveView->isPaused() && position < m_head)
        m_liveView->setPaused(true);
    m_liveView->jumpTo(position);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Eventium"),
        tr("<h3>Eventium Browser %1</h3>"
           "<p>An event browser for the Eventium event store on PostgreSQL.</p>"
           "<table>"
           "<tr><td>Qt</td><td>%2 (built with %3)</td></tr>"
           "<tr><td>PostgreSQL server</td><td>%4</td></tr>"
           "<tr><td>Schema</td><td>%5 (version %6)</td></tr>"
           "</table>")
            .arg(QStringLiteral(EVENTIUM_VERSION), QString::fromLatin1(qVersion()),
                 QStringLiteral(QT_VERSION_STR),
                 m_info.serverVersion.isEmpty() ? tr("not connected")
                                                : m_info.serverVersion.toHtmlEscaped(),
                 m_info.schema.toHtmlEscaped(), QString::number(m_info.schemaVersion)));
}

} // namespace eventium::ui
