#include "streamview.h"

#include "eventdetailview.h"
#include "eventrowmenu.h"
#include "eventtableview.h"
#include "iconprovider.h"
#include "stateview.h"
#include "streameventsmodel.h"

#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace eventium::ui {

StreamView::StreamView(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
{
    m_model = new StreamEventsModel(worker, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    layout->setSpacing(6);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(8, 0, 8, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("streamTitle"));
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(m_title);
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("streamInfo"));
    header->addWidget(m_info, 1);
    m_order = new QToolButton(this);
    m_order->setObjectName(QStringLiteral("newestFirst"));
    m_order->setCheckable(true);
    m_order->setText(tr("Newest first"));
    m_order->setIcon(IconProvider::icon(QStringLiteral("sort")));
    m_order->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_order->setToolTip(tr("Show the newest events first"));
    m_order->setAutoRaise(true);
    connect(m_order, &QToolButton::toggled, this, &StreamView::setNewestFirst);
    header->addWidget(m_order);
    layout->addLayout(header);

    // Search within the stream, on the server.
    auto *searchRow = new QHBoxLayout;
    searchRow->setContentsMargins(8, 0, 8, 0);
    m_searchBox = new SearchBox({SearchBox::SearchWhere, SearchBox::SearchText}, this, this);
    m_searchBox->setObjectName(QStringLiteral("streamSearch"));
    m_searchBox->edit()->setPlaceholderText(tr("Search this stream, e.g. customerId = 42 (Enter)"));
    connect(m_searchBox, &SearchBox::submitted, this, &StreamView::applySearch);
    connect(m_searchBox, &SearchBox::stopRequested, this, [this] { m_model->stopSearch(); });
    searchRow->addWidget(m_searchBox);
    layout->addLayout(searchRow);
    m_searchStatus = new QLabel(this);
    m_searchStatus->setObjectName(QStringLiteral("streamSearchStatus"));
    m_searchStatus->setContentsMargins(10, 0, 10, 0);
    m_searchStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_searchStatus->hide();
    layout->addWidget(m_searchStatus);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("streamSplitter"));
    m_splitter->setChildrenCollapsible(false);
    auto *table = new EventTableView(m_splitter);
    table->setObjectName(QStringLiteral("streamEvents"));
    table->setModel(m_model);
    // Version, type (takes what is left), time, position.
    table->setColumnWidthsInChars({7, 0, 19, 9}, StreamEventsModel::TypeColumn);
    m_table = table;
    m_rowMenu = new EventRowMenu(table, EventRowMenu::Table::Stream,
                                 [this](int row) { return m_model->eventAt(row); });
    m_detail = new EventDetailView(m_splitter);
    m_detail->setObjectName(QStringLiteral("streamDetail"));
    m_state = new StateView(worker, m_detail);
    m_detail->addPage(m_state, tr("&State"));
    // The stepper's shortcuts work wherever the focus is in this tab (the table, most often).
    for (QAction *action : {m_state->previousAction(), m_state->nextAction()}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
    }
    connect(m_state, &StateView::stepRequested, this, [this](qint64 version) {
        // A search shows some versions only: the state view steps on its own then.
        if (m_model->isSearchFiltered())
            m_state->showVersion(stream(), version);
        else
            selectVersion(version);
    });
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    layout->addWidget(m_splitter, 1);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &StreamView::showCurrent);
    connect(m_model, &StreamEventsModel::pageLoaded, this, [this] {
        if (!m_detail->event())
            showCurrent();
    });
    connect(m_model, &StreamEventsModel::searchProgressed, this, &StreamView::updateSearchStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &StreamView::updateHeader);
    connect(m_model, &QAbstractItemModel::modelReset, this, &StreamView::updateHeader);
    updateHeader();
}

void StreamView::setStream(const QString &stream, qint64 version)
{
    m_searchBox->clearSilently();
    m_model->setStream(stream, version);
    updateSearchStatus();
    m_detail->setEvent(std::nullopt);
    m_state->setEvent(std::nullopt);
    if (version > 0)
        m_table->selectRow(0);
}

QString StreamView::stream() const
{
    return m_model->stream();
}

void StreamView::setNewestFirst(bool newestFirst)
{
    const std::optional<RecordedEvent> current = currentEvent();
    m_model->setNewestFirst(newestFirst);
    if (m_order->isChecked() != newestFirst)
        m_order->setChecked(newestFirst);
    if (current)
        selectVersion(current->version.value);
}

void StreamView::selectVersion(qint64 version)
{
    if (version < 1 || version > m_model->streamVersion())
        return;
    const int row = m_model->rowOf(version);
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
}

std::optional<RecordedEvent> StreamView::currentEvent() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->eventAt(current.row()) : std::nullopt;
}

void StreamView::showCurrent()
{
    const std::optional<RecordedEvent> event = currentEvent();
    m_detail->setEvent(event);
    m_state->setStreamVersion(m_model->streamVersion());
    m_state->setEvent(event);
}

void StreamView::setSearch(SearchBox::Mode mode, const QString &text)
{
    m_searchBox->setSearch(mode, text);
}

void StreamView::applySearch()
{
    GlobalFilter filter;
    if (QString why; !m_searchBox->fill(filter, &why)) {
        m_searchStatus->setText(tr("Search: %1").arg(why));
        m_searchStatus->show();
        return;
    }
    if (filter == m_model->search()) {
        m_model->resumeSearch(); // Enter again goes on with a stopped search
        return;
    }
    m_detail->setEvent(std::nullopt);
    m_state->setEvent(std::nullopt);
    m_model->setSearch(filter);
    updateSearchStatus();
    if (m_model->rowCount() > 0 && !m_model->isSearchFiltered())
        m_table->selectRow(0);
}

void StreamView::updateSearchStatus()
{
    const bool searching = m_model->isSearching();
    m_searchBox->setSearching(searching);
    if (!m_model->isSearchFiltered()) {
        m_searchStatus->hide();
        return;
    }
    const QLocale locale;
    const QString matches = locale.toString(m_model->rowCount());
    const QString upTo = locale.toString(qMin(m_model->searchedTo(), m_model->streamVersion()));
    const QString last = locale.toString(m_model->streamVersion());
    QString text;
    if (!m_model->searchError().isEmpty())
        text = tr("Search: %1").arg(m_model->searchError());
    else if (searching)
        text = tr("Searching… %1 matches so far (up to version %2 of %3)").arg(matches, upTo, last);
    else if (m_model->isSearchStopped())
        text = tr("Stopped at version %1 of %2: %3 matches").arg(upTo, last, matches);
    else
        text = tr("%1 matches up to version %2").arg(matches, last);
    m_searchStatus->setText(text);
    m_searchStatus->show();
}

void StreamView::setOffline(bool offline)
{
    m_offline = offline;
    m_model->setOffline(offline);
    updateHeader();
}

void StreamView::updateHeader()
{
    const QString offline
        = m_offline ? tr("server unreachable, showing what was loaded") : QString();
    m_info->setStyleSheet(m_offline ? QStringLiteral("color: #c62828;") : QString());
    if (m_model->stream().isEmpty()) {
        m_title->setText(tr("No stream selected"));
        m_info->setText(offline);
        return;
    }
    m_title->setText(m_model->stream());
    // The stream's version: every event ever appended, including those a truncation, a max
    // count or age hides (their rows show as such).
    const qint64 n = m_model->streamVersion();
    const QString count = n == 0 ? tr("no events") : tr("version %1").arg(QLocale().toString(n));
    m_info->setText(m_offline ? count + QStringLiteral(" · ") + offline : count);
}

} // namespace eventium::ui
