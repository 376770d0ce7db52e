#include "liveeventsmodel.h"

#include "eventcells.h"
#include "storeworker.h"

#include <QColor>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QPolygonF>

#include <array>

namespace eventium::ui {

namespace {

// A small blue flag: where a subscription's checkpoint is.
QIcon checkpointMarker()
{
    static const QIcon icon = [] {
        QPixmap pixmap(12, 16);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0x1e, 0x88, 0xe5));
        p.drawRect(QRectF(1, 1, 2, 14));
        p.drawPolygon(QPolygonF({QPointF(3, 1), QPointF(11, 4.5), QPointF(3, 8)}));
        return QIcon(pixmap);
    }();
    return icon;
}

constexpr int kMaxInFlight = 6;
constexpr int kFilteredPage = 300;
// What each column shows, in the order of LiveEventsModel::Column.
constexpr std::array<EventField, LiveEventsModel::ColumnCount> kFields {
    EventField::Position, EventField::Stream, EventField::Version, EventField::Type,
    EventField::Time};
} // namespace

LiveEventsModel::LiveEventsModel(StoreWorker *worker, QObject *parent)
    : QAbstractTableModel(parent)
    , m_worker(worker)
{
    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(10);
    connect(&m_requestTimer, &QTimer::timeout, this, &LiveEventsModel::requestWanted);
    connect(worker, &StoreWorker::globalRead, this, &LiveEventsModel::onGlobalRead);
    connect(worker, &StoreWorker::failed, this, [this](quint64 token, const StoreError &error) {
        if (error.kind() == StoreError::Kind::Cancelled && token == m_fetchToken
            && m_fetchToken != 0) {
            // Stopped by the user: the server cancelled the statement; nothing to report. If
            // the search was resumed meanwhile, it reads that window again now.
            m_fetchToken = 0;
            if (canFetchMore({}))
                fetchMore({});
            emit searchProgressed();
            return;
        }
        const bool refused = error.kind() == StoreError::Kind::InvalidInput
            || error.kind() == StoreError::Kind::InvalidJson;
        if (refused && token == m_fetchToken && m_fetchToken != 0) {
            // The server refused the search itself (a JSON path it cannot read): reading on
            // would fail the same way.
            m_fetchToken = 0;
            m_stopped = true;
            m_searchError = error.message();
            emit searchProgressed();
        }
        onFailed(token, error.toString());
    });
}

void LiveEventsModel::reset(qint64 head)
{
    beginResetModel();
    m_knownHead = head;
    m_count = head;
    m_cache.clear();
    m_rows.clear();
    m_next = 1;
    m_atHead = false;
    m_fetchToken = 0;
    m_rowsFetched = 0;
    endResetModel();
}

void LiveEventsModel::setFilter(const GlobalFilter &filter, qint64 from)
{
    StoreWorker::cancel(m_cancel); // a search still running on the server is not wanted any more
    beginResetModel();
    m_filter = filter;
    m_rows.clear();
    m_next = qMax<qint64>(1, from);
    m_atHead = false;
    m_stopped = false;
    m_searchError.clear();
    m_fetchToken = 0;
    if (m_filter.isEmpty() && !m_paused)
        m_count = m_knownHead;
    endResetModel();
    emit searchProgressed();
}

void LiveEventsModel::resumeSearching()
{
    if (!m_stopped || !m_searchError.isEmpty())
        return;
    m_stopped = false;
    if (canFetchMore({}))
        fetchMore({});
    emit searchProgressed();
}

void LiveEventsModel::stopSearching()
{
    if (!isSearching())
        return;
    m_stopped = true;
    // The window being read is cancelled on the server; its rows are read again on resume.
    StoreWorker::cancel(m_cancel);
    emit searchProgressed();
}

void LiveEventsModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        if (isFiltered()) {
            m_atHead = false; // catch up from where the rows end
            if (canFetchMore({}))
                fetchMore({});
        } else {
            growTo(m_knownHead);
        }
    }
}

qint64 LiveEventsModel::shownHead() const
{
    if (!isFiltered())
        return m_count;
    return m_next - 1;
}

int LiveEventsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return isFiltered() ? int(m_rows.size()) : int(m_count);
}

int LiveEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::optional<RecordedEvent> LiveEventsModel::eventAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    if (isFiltered())
        return m_rows.at(row);
    if (const RecordedEvent *e = m_cache.find(positionAt(row)); e && !EventPageCache::isHidden(*e))
        return *e;
    return std::nullopt;
}

QVariant LiveEventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const RecordedEvent *e = nullptr;
    qint64 position = 0;
    if (isFiltered()) {
        e = &m_rows.at(index.row());
        position = e->position.value;
    } else {
        position = positionAt(index.row());
        e = m_cache.find(position);
        if (!e && (role == Qt::DisplayRole || role == Qt::ToolTipRole))
            want(EventPageCache::pageOf(position));
    }
    if (!m_checkpoints.isEmpty()) {
        if (const auto marked = m_checkpoints.constFind(position); marked != m_checkpoints.cend()) {
            if (role == Qt::DecorationRole && index.column() == PositionColumn)
                return checkpointMarker();
            if (role == Qt::BackgroundRole)
                return QColor(0xe3, 0xf2, 0xfd);
            if (role == Qt::ToolTipRole) {
                QStringList lines;
                for (const QString &name : marked.value())
                    lines << tr("Subscription “%1” has handled up to here").arg(name);
                const QVariant cell = eventCell(kFields[index.column()], role, e,
                                                EventField::Position, position, m_offline);
                if (!cell.toString().isEmpty())
                    lines << QString() << cell.toString();
                return lines.join(QLatin1Char('\n'));
            }
        }
    }
    return eventCell(kFields[index.column()], role, e, EventField::Position, position, m_offline);
}

void LiveEventsModel::setCheckpoints(const QList<toolkit::SubscriptionStatus> &subscriptions)
{
    QMap<qint64, QStringList> marks;
    for (const toolkit::SubscriptionStatus &s : subscriptions) {
        if (s.checkpoint.value > 0)
            marks[s.checkpoint.value].append(s.name);
    }
    if (marks == m_checkpoints)
        return;
    QList<qint64> touched = m_checkpoints.keys() + marks.keys();
    m_checkpoints = std::move(marks);
    for (const qint64 position : std::as_const(touched)) {
        const int row = isFiltered() ? rowForPosition(position) : int(position - 1);
        if (row < 0 || row >= rowCount())
            continue;
        if (isFiltered() && m_rows.at(row).position.value != position)
            continue;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

QVariant LiveEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    return eventHeader(kFields[section], role);
}

bool LiveEventsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && isFiltered() && !m_atHead && !m_stopped && m_fetchToken == 0;
}

void LiveEventsModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_cancel = Cancellation();
    m_fetchToken = m_worker->readAll(m_next, kFilteredPage, m_filter, m_cancel);
}

void LiveEventsModel::want(qint64 page) const
{
    if (m_cache.want(page) && !m_requestTimer.isActive())
        m_requestTimer.start();
}

void LiveEventsModel::requestWanted()
{
    for (const qint64 page : m_cache.takeWanted(kMaxInFlight)) {
        const quint64 token
            = m_worker->readAll(EventPageCache::firstKeyOf(page), EventPageCache::pageSize);
        m_cache.setInFlight(token, page);
    }
}

void LiveEventsModel::growTo(qint64 head)
{
    if (isFiltered() || head <= m_count)
        return;
    beginInsertRows({}, int(m_count), int(head) - 1);
    const int added = int(head - m_count);
    m_count = head;
    endInsertRows();
    emit rowsAppended(added);
}

void LiveEventsModel::onGlobalRead(quint64 token, const GlobalPage &page)
{
    if (token == m_fetchToken && m_fetchToken != 0) {
        m_fetchToken = 0;
        m_rowsFetched += page.events.size();
        m_knownHead = qMax(m_knownHead, page.head.value);
        QList<RecordedEvent> fresh;
        for (const RecordedEvent &e : page.events) {
            if (e.position.value >= m_next)
                fresh.append(e);
        }
        m_next = qMax(m_next, page.next.value);
        m_atHead = page.next.value > page.head.value;
        if (!fresh.isEmpty()) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size()) - 1);
            m_rows += fresh;
            endInsertRows();
            emit rowsAppended(int(fresh.size()));
        }
        emit pageLoaded();
        emit searchProgressed();
        // A window without matches: go on reading (still bounded per request in the worker).
        if (fresh.isEmpty() && !m_atHead)
            fetchMore({});
        return;
    }
    const qint64 index = m_cache.takeInFlight(token);
    if (index < 0)
        return;
    m_rowsFetched += page.events.size();
    for (const RecordedEvent &e : page.events)
        m_cache.insert(e.position.value, e);
    const qint64 first = EventPageCache::firstKeyOf(index);
    const qint64 last = qMin(m_count, first + EventPageCache::pageSize - 1);
    // Positions the read went past without an event: theirs is hidden from readers.
    m_cache.markHidden(first, qMin(last, page.next.value - 1), true);
    if (!isFiltered() && first <= last)
        emit dataChanged(this->index(int(first - 1), 0),
                         this->index(int(last - 1), ColumnCount - 1));
    emit pageLoaded();
    if (m_cache.hasWanted() && !m_requestTimer.isActive())
        m_requestTimer.start();
}

void LiveEventsModel::onFailed(quint64 token, const QString &message)
{
    if (token == m_fetchToken && m_fetchToken != 0) {
        m_fetchToken = 0;
        emit loadFailed(message);
        return;
    }
    if (m_cache.takeInFlight(token) >= 0)
        emit loadFailed(message);
}

void LiveEventsModel::updateEvent(const RecordedEvent &event)
{
    if (event.position.value < 1)
        return;
    m_cache.insert(event.position.value, event);
    int row = -1;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == event.id) {
            m_rows[i] = event;
            row = i;
        }
    }
    if (!isFiltered())
        row = rowForPosition(event.position.value);
    if (row >= 0 && row < rowCount())
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

bool LiveEventsModel::matches(const RecordedEvent &e) const
{
    return (m_filter.types.isEmpty() || m_filter.types.contains(e.type))
        && (m_filter.streamPrefix.isEmpty() || e.stream.startsWith(m_filter.streamPrefix));
}

void LiveEventsModel::applyLiveEvents(const QList<RecordedEvent> &events)
{
    if (events.isEmpty())
        return;
    qint64 newest = 0;
    for (const RecordedEvent &e : events) {
        m_cache.insert(e.position.value, e);
        newest = qMax(newest, e.position.value);
    }
    m_knownHead = qMax(m_knownHead, newest);
    if (m_paused)
        return;
    if (!isFiltered()) {
        const qint64 before = m_count;
        growTo(m_knownHead);
        // Rows that existed but showed placeholders.
        const qint64 first = events.first().position.value;
        if (first <= before && before > 0)
            emit dataChanged(index(int(qMax<qint64>(1, first) - 1), 0),
                             index(int(before - 1), ColumnCount - 1));
        return;
    }
    if (!m_atHead || m_fetchToken != 0)
        return; // rows are still being read up to the head; the reads will get these too
    if (!m_filter.isLocal()) {
        // Only the server can tell whether an event matches a search: read on from where the
        // rows end, which finds these new events if they match.
        m_atHead = false;
        if (canFetchMore({}))
            fetchMore({});
        return;
    }
    QList<RecordedEvent> fresh;
    for (const RecordedEvent &e : events) {
        if (e.position.value >= m_next && matches(e))
            fresh.append(e);
    }
    m_next = qMax(m_next, newest + 1);
    if (fresh.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size()) - 1);
    m_rows += fresh;
    endInsertRows();
    emit rowsAppended(int(fresh.size()));
}

void LiveEventsModel::applyHead(qint64 head)
{
    m_knownHead = qMax(m_knownHead, head);
    if (!m_paused && !isFiltered())
        growTo(m_knownHead);
}

int LiveEventsModel::rowForPosition(qint64 position) const
{
    if (!isFiltered())
        return position >= 1 && position <= m_count ? int(position - 1) : -1;
    auto it
        = std::lower_bound(m_rows.cbegin(), m_rows.cend(), position,
                           [](const RecordedEvent &e, qint64 p) { return e.position.value < p; });
    return it == m_rows.cend() ? -1 : int(it - m_rows.cbegin());
}

int LiveEventsModel::jumpTo(qint64 position)
{
    if (!isFiltered()) {
        if (position > m_count && position <= m_knownHead)
            growTo(position);
        return rowForPosition(qMin(position, m_count));
    }
    setFilter(m_filter, position);
    fetchMore({});
    return -1;
}

void LiveEventsModel::reload()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    if (isFiltered() && canFetchMore({}))
        fetchMore({});
}

void LiveEventsModel::forgetLoaded()
{
    if (isFiltered()) {
        reload();
        return;
    }
    m_cache.clear();
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void LiveEventsModel::setOffline(bool offline)
{
    if (offline == m_offline)
        return;
    m_offline = offline;
    // Rows not loaded change their words; loaded ones stay as they are.
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::DisplayRole});
}

} // namespace eventium::ui
