#include "liveview.h"

#include "eventdetailview.h"
#include "eventrowmenu.h"
#include "eventtableview.h"
#include "iconprovider.h"
#include "liveeventsmodel.h"
#include "searchbox.h"
#include "storeworker.h"

#include <QComboBox>
#include <QCompleter>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QStringListModel>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {
constexpr qint64 kRateWindowMs = 5000;
}

LiveView::LiveView(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
{
    m_model = new LiveEventsModel(worker, this);
    m_worker = worker;
    m_clock.start();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    layout->setSpacing(6);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 0, 8, 0);
    bar->setSpacing(8);
    m_follow = new QToolButton(this);
    m_follow->setObjectName(QStringLiteral("follow"));
    m_follow->setCheckable(true);
    m_follow->setChecked(true);
    m_follow->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_follow->setAutoRaise(true);
    connect(m_follow, &QToolButton::toggled, this,
            [this](bool following) { setPaused(!following); });
    bar->addWidget(m_follow);

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("typeFilter"));
    m_filter->setPlaceholderText(tr("Filter by event type (comma-separated)…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(360);
    // The types that exist, from the type index, offered as you type.
    m_types = new QStringListModel(this);
    auto *completer = new QCompleter(m_types, this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setFilterMode(Qt::MatchContains);
    m_filter->setCompleter(completer);
    connect(worker, &StoreWorker::eventTypesListed, this,
            [this](quint64 token, const QStringList &types) {
                if (token == m_typesToken)
                    m_types->setStringList(types);
            });
    connect(m_filter, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (text.size() == 1) // starting to type: the types may have changed since
            m_typesToken = m_worker->eventTypes();
    });
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(400);
    connect(m_filter, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, &LiveView::applyFilter);
    connect(m_filterTimer, &QTimer::timeout, this, &LiveView::applyFilter);
    bar->addWidget(m_filter, 1);

    // Search on the server: an expression (customerId = 42, total > 100, $.items[*].sku ==
    // "A-1"), text anywhere in the payload, or part of a stream name.
    m_searchBox = new SearchBox({SearchWhere, SearchText, SearchStream}, this, this);
    connect(m_searchBox, &SearchBox::submitted, this, &LiveView::applyFilter);
    connect(m_searchBox, &SearchBox::stopRequested, this, [this] { m_model->stopSearching(); });
    bar->addWidget(m_searchBox, 2);
    bar->addStretch();
    m_rateLabel = new QLabel(this);
    m_rateLabel->setObjectName(QStringLiteral("rate"));
    m_rateLabel->setToolTip(tr("New events per second over the last five seconds"));
    bar->addWidget(m_rateLabel);
    m_behindLabel = new QLabel(this);
    m_behindLabel->setObjectName(QStringLiteral("behind"));
    m_behindLabel->setToolTip(tr("Numbered events not shown yet"));
    bar->addWidget(m_behindLabel);
    layout->addLayout(bar);
    m_searchStatus = new QLabel(this);
    m_searchStatus->setObjectName(QStringLiteral("searchStatus"));
    m_searchStatus->setContentsMargins(10, 0, 10, 0);
    m_searchStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_searchStatus->hide();
    layout->addWidget(m_searchStatus);

    // When the server's history changed under the live feed (a failover to a standby that had
    // not received commits shown here), the feed stops and this bar says so.
    m_historyBanner = new QFrame(this);
    m_historyBanner->setObjectName(QStringLiteral("historyBanner"));
    m_historyBanner->setStyleSheet(
        QStringLiteral("#historyBanner { background: #fdecea; border-bottom: 1px solid #e0a8a2; }"
                       "#historyBanner QLabel { color: #8e1c1c; }"));
    auto *banner = new QHBoxLayout(m_historyBanner);
    banner->setContentsMargins(10, 6, 10, 6);
    m_historyLabel = new QLabel(m_historyBanner);
    m_historyLabel->setObjectName(QStringLiteral("historyLabel"));
    m_historyLabel->setWordWrap(true);
    m_historyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner->addWidget(m_historyLabel, 1);
    m_followAgain = new QPushButton(tr("&Follow Again from Head"), m_historyBanner);
    m_followAgain->setObjectName(QStringLiteral("followAgain"));
    m_followAgain->setToolTip(tr("Reload the sequence as the server has it now and follow its "
                                 "new events"));
    connect(m_followAgain, &QPushButton::clicked, this, &LiveView::followAgain);
    banner->addWidget(m_followAgain);
    m_historyBanner->hide();
    layout->addWidget(m_historyBanner);
    connect(worker, &StoreWorker::liveHistoryRewritten, this, &LiveView::showHistoryRewritten);
    connect(worker, &StoreWorker::liveRestarted, this, [this](quint64 token, qint64 head) {
        if (token != m_followAgainToken)
            return;
        m_followAgainToken = 0;
        m_followAgain->setEnabled(true);
        m_historyBanner->hide();
        reset(head);
        setPaused(false);
    });
    connect(worker, &StoreWorker::failed, this, [this](quint64 token, const StoreError &error) {
        if (token != m_followAgainToken)
            return;
        m_followAgainToken = 0;
        m_followAgain->setEnabled(true);
        m_historyLabel->setText(tr("Could not follow again: %1").arg(error.toString()));
    });

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("liveSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_table = new EventTableView(m_splitter);
    m_table->setObjectName(QStringLiteral("liveEvents"));
    m_table->setModel(m_model);
    // Position, stream (takes what is left), version, type, time.
    m_table->setColumnWidthsInChars({9, 0, 7, 18, 19}, LiveEventsModel::StreamColumn);
    m_detail = new EventDetailView(m_splitter);
    m_detail->setObjectName(QStringLiteral("liveDetail"));
    m_latest = new QToolButton(m_table);
    m_latest->setObjectName(QStringLiteral("latest"));
    m_latest->setToolTip(tr("Follow again from the newest event (Ctrl+End)"));
    m_latest->setCursor(Qt::PointingHandCursor);
    m_latest->hide();
    connect(m_latest, &QToolButton::clicked, this, &LiveView::goToLatest);
    m_table->installEventFilter(this);
    m_rowMenu = new EventRowMenu(m_table, EventRowMenu::Table::Live,
                                 [this](int row) { return m_model->eventAt(row); });
    connect(m_rowMenu, &EventRowMenu::openStreamRequested, this, &LiveView::openStreamRequested);
    connect(m_rowMenu, &EventRowMenu::filterByTypeRequested, this, &LiveView::setTypeFilter);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &LiveView::showCurrent);
    // Keep still while the user looks at older rows; follow only from the bottom.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this] { m_wasAtBottom = m_table->isAtBottom(); });
    connect(m_model, &LiveEventsModel::rowsAppended, this, [this] {
        if (!isPaused() && m_wasAtBottom)
            m_table->scrollToBottom();
    });
    connect(m_table, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (const auto e = m_model->eventAt(index.row()))
            emit openStreamRequested(e->stream, e->version.value);
    });
    connect(m_model, &LiveEventsModel::searchProgressed, this, &LiveView::updateSearchStatus);
    connect(worker, &StoreWorker::connectionStateChanged, this, &LiveView::updateStatus);
    connect(m_table->verticalScrollBar(), &QScrollBar::valueChanged, this, &LiveView::updateStatus);
    connect(m_model, &LiveEventsModel::rowsAppended, this, &LiveView::updateSearchStatus);
    connect(m_model, &LiveEventsModel::pageLoaded, this, [this] {
        if (m_pendingJump > 0 && jumpTo(m_pendingJump))
            m_pendingJump = 0;
        if (!m_detail->event())
            showCurrent();
    });

    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(1000);
    connect(m_statusTimer, &QTimer::timeout, this, &LiveView::updateStatus);
    m_statusTimer->start();
    setPaused(false);
    updateStatus();
}

void LiveView::showHistoryRewritten(const QString &message)
{
    m_historyLabel->setText(
        tr("The server's history changed: commits shown here were lost (a failover to a "
           "standby that had not received them), so rows may hold events the server no longer "
           "has. Following has stopped."));
    m_historyLabel->setToolTip(message);
    m_followAgain->setEnabled(m_followAgainToken == 0);
    m_historyBanner->show();
    updateStatus();
}

void LiveView::followAgain()
{
    if (m_followAgainToken != 0)
        return;
    m_followAgain->setEnabled(false);
    m_followAgainToken = m_worker->followAgainFromHead();
}

void LiveView::reset(qint64 head)
{
    // A new connection or a new start: whatever the bar said is over.
    m_historyBanner->hide();
    m_storeHead = head;
    m_model->reset(head);
    m_model->setFilter({});
    m_typesToken = m_worker->eventTypes();
    m_filter->blockSignals(true);
    m_filter->clear();
    m_filter->blockSignals(false);
    m_searchBox->clearSilently();
    m_arrivals.clear();
    m_detail->setEvent(std::nullopt);
    m_table->scrollToBottom();
    updateStatus();
}

bool LiveView::isPaused() const
{
    return m_model->isPaused();
}

void LiveView::setPaused(bool paused)
{
    const bool changed = paused != m_model->isPaused();
    m_model->setPaused(paused);
    m_follow->blockSignals(true);
    m_follow->setChecked(!paused);
    m_follow->blockSignals(false);
    m_follow->setText(paused ? tr("Paused") : tr("Following"));
    m_follow->setIcon(
        IconProvider::icon(paused ? QStringLiteral("play") : QStringLiteral("pause")));
    m_follow->setToolTip(paused ? tr("Resume following new events (Space)")
                                : tr("Pause following (Space)"));
    if (!paused && m_wasAtBottom)
        m_table->scrollToBottom();
    updateStatus();
    if (changed)
        emit pausedChanged(paused);
}

bool LiveView::jumpTo(qint64 position)
{
    int row = m_model->rowForPosition(position);
    if (row < 0) {
        row = m_model->jumpTo(position);
        if (row < 0) {
            m_pendingJump = m_model->isFiltered() ? position : 0;
            return false;
        }
    }
    m_table->setFocus();
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
    return true;
}

void LiveView::setTypeFilter(const QString &text)
{
    m_filter->setText(text);
    applyFilter();
}

void LiveView::setSearch(SearchMode mode, const QString &text)
{
    m_searchBox->setSearch(mode, text);
}

QStringList LiveView::knownTypes() const
{
    return m_types->stringList();
}

void LiveView::focusSearch()
{
    m_searchBox->edit()->setFocus();
    m_searchBox->edit()->selectAll();
}

void LiveView::focusFilter()
{
    m_filter->setFocus();
    m_filter->selectAll();
}

void LiveView::applyFilter()
{
    m_filterTimer->stop();
    QStringList types;
    for (const QString &part : m_filter->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (const QString t = part.trimmed(); !t.isEmpty())
            types.append(t);
    }
    GlobalFilter filter;
    filter.types = types;
    if (QString why; !m_searchBox->fill(filter, &why)) {
        // Said at once, without asking the server.
        m_searchStatus->setText(tr("Search: %1").arg(why));
        m_searchStatus->show();
        return;
    }
    if (filter == m_model->filter()) {
        m_model->resumeSearching(); // Enter again goes on with a stopped search
        return;
    }
    m_detail->setEvent(std::nullopt);
    m_model->setFilter(filter);
    if (m_model->canFetchMore({}))
        m_model->fetchMore({});
    if (!m_model->isFiltered())
        m_table->scrollToBottom();
}

void LiveView::updateSearchStatus()
{
    const bool searching = m_model->isSearching();
    m_searchBox->setSearching(searching);
    const bool search = !m_model->filter().isLocal();
    if (!search) {
        m_searchStatus->hide();
        return;
    }
    const QString matches = QLocale().toString(m_model->rowCount());
    const QString upTo = QLocale().toString(m_model->searchedTo());
    const QString head = QLocale().toString(qMax(m_storeHead, m_model->knownHead()));
    QString text;
    if (!m_model->searchError().isEmpty())
        text = tr("Search: %1").arg(m_model->searchError());
    else if (searching)
        text
            = tr("Searching… %1 matches so far (up to position %2 of %3)").arg(matches, upTo, head);
    else if (m_model->isStopped())
        text = tr("Stopped at position %1 of %2: %3 matches").arg(upTo, head, matches);
    else
        text = tr("%1 matches up to position %2").arg(matches, upTo);
    m_searchStatus->setText(text);
    m_searchStatus->show();
}

void LiveView::setStoreHead(qint64 head)
{
    m_storeHead = qMax(m_storeHead, head);
    m_model->applyHead(head);
    updateStatus();
}

void LiveView::applyLiveEvents(const QList<RecordedEvent> &events)
{
    if (events.isEmpty())
        return;
    m_arrivals.append({m_clock.elapsed(), int(events.size())});
    m_storeHead = qMax(m_storeHead, events.last().position.value);
    m_model->applyLiveEvents(events);
}

QString LiveView::followStatus() const
{
    // What is on screen, in words: a claim of "at head" must be true of the rows shown.
    if (!m_worker->isConnected())
        return tr("disconnected");
    if (!m_historyBanner->isHidden())
        return tr("stopped: the server's history changed");
    if (m_model->isFiltered()) {
        if (m_model->isStopped())
            return tr("search stopped");
        return isPaused() ? tr("paused") : tr("following the search");
    }
    if (isPaused())
        return tr("paused at %1 · %2 new")
            .arg(QLocale().toString(m_model->shownHead()), QLocale().toString(behind()));
    if (m_model->rowCount() > 0 && !m_table->isAtBottom())
        return tr("scrolled back, %1 behind").arg(QLocale().toString(unseen()));
    const qint64 lag = behind();
    return lag == 0 ? tr("following, at head")
                    : tr("following, %1 behind head").arg(QLocale().toString(lag));
}

qint64 LiveView::unseen() const
{
    if (!m_worker->isConnected() || m_model->isFiltered() || m_model->rowCount() == 0)
        return 0;
    if (m_table->isAtBottom())
        return isPaused() ? behind() : 0;
    const qint64 head = qMax(m_storeHead, m_model->knownHead());
    const int lastVisible = m_table->rowAt(m_table->viewport()->height() - 1);
    const qint64 shown = lastVisible < 0 ? m_model->rowCount() : lastVisible + 1;
    return qMax<qint64>(0, head - shown);
}

void LiveView::goToLatest()
{
    setPaused(false);
    m_wasAtBottom = true;
    m_table->scrollToBottom();
    if (m_model->rowCount() > 0)
        m_table->setCurrentIndex(m_model->index(m_model->rowCount() - 1, 0));
    updateStatus();
}

void LiveView::placeLatestButton()
{
    m_latest->adjustSize();
    const QRect area = m_table->viewport()->geometry();
    m_latest->move(area.right() - m_latest->width() - 12, area.bottom() - m_latest->height() - 12);
    m_latest->raise();
}

bool LiveView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::Resize)
        placeLatestButton();
    return QWidget::eventFilter(watched, event);
}

qint64 LiveView::behind() const
{
    const qint64 head = qMax(m_storeHead, m_model->knownHead());
    return qMax<qint64>(0, head - m_model->shownHead());
}

std::optional<RecordedEvent> LiveView::currentEvent() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->eventAt(current.row()) : std::nullopt;
}

void LiveView::showCurrent()
{
    m_detail->setEvent(currentEvent());
}

void LiveView::updateStatus()
{
    const qint64 now = m_clock.elapsed();
    while (!m_arrivals.isEmpty() && m_arrivals.first().first < now - kRateWindowMs)
        m_arrivals.removeFirst();
    int count = 0;
    for (const auto &a : std::as_const(m_arrivals))
        count += a.second;
    const qint64 span = qMin<qint64>(kRateWindowMs, qMax<qint64>(1000, now));
    m_rate = count * 1000.0 / double(span);
    m_rateLabel->setText(
        tr("%1 events/s").arg(QLocale().toString(m_rate, 'f', m_rate < 10 ? 1 : 0)));
    m_behindLabel->setText(followStatus());
    const qint64 newer = unseen();
    if (newer > 0) {
        m_latest->setText(newer == 1 ? tr("1 new event ↓")
                                     : tr("%1 new events ↓").arg(QLocale().toString(newer)));
        placeLatestButton();
    }
    m_latest->setVisible(newer > 0);
}

} // namespace eventium::ui
