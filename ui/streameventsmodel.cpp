#include "streameventsmodel.h"

#include "eventcells.h"
#include "storeworker.h"

#include <algorithm>
#include <array>

namespace eventium::ui {

namespace {
constexpr int kMaxInFlight = 6;
constexpr int kSearchPage = 200;
// What each column shows, in the order of StreamEventsModel::Column.
constexpr std::array<EventField, StreamEventsModel::ColumnCount> kFields {
    EventField::Version, EventField::Type, EventField::Time, EventField::Position};
} // namespace

StreamEventsModel::StreamEventsModel(StoreWorker *worker, QObject *parent)
    : QAbstractTableModel(parent)
    , m_worker(worker)
{
    m_requestTimer.setSingleShot(true);
    m_requestTimer.setInterval(10);
    connect(&m_requestTimer, &QTimer::timeout, this, &StreamEventsModel::requestWanted);
    connect(worker, &StoreWorker::streamRead, this, &StreamEventsModel::onStreamRead);
    connect(worker, &StoreWorker::streamSearched, this, &StreamEventsModel::onSearched);
    connect(worker, &StoreWorker::failed, this, [this](quint64 token, const StoreError &error) {
        if (token != 0 && token == m_searchToken) {
            m_searchToken = 0;
            if (error.kind() == StoreError::Kind::Cancelled) {
                // Stopped by the user; resumed meanwhile, it reads that window again.
                if (canFetchMore({}))
                    fetchMore({});
            } else if (error.kind() == StoreError::Kind::InvalidInput
                       || error.kind() == StoreError::Kind::InvalidJson) {
                // Refused by the server itself (a JSON path it cannot read).
                m_searchStopped = true;
                m_searchError = error.message();
            } else {
                emit loadFailed(error.toString());
            }
            emit searchProgressed();
            return;
        }
        onFailed(token, error.toString());
    });
}

void StreamEventsModel::setStream(const QString &stream, qint64 version)
{
    StoreWorker::cancel(m_searchCancel);
    beginResetModel();
    m_search = {};
    m_matches.clear();
    m_searchToken = 0;
    m_searchError.clear();
    m_stream = stream;
    m_count = qMax<qint64>(0, version);
    m_cache.clear();
    m_rowsFetched = 0;
    endResetModel();
}

void StreamEventsModel::clear()
{
    setStream(QString(), 0);
}

void StreamEventsModel::setNewestFirst(bool newestFirst)
{
    if (newestFirst == m_newestFirst)
        return;
    beginResetModel();
    m_newestFirst = newestFirst;
    endResetModel();
}

void StreamEventsModel::growTo(qint64 version)
{
    if (version <= m_count || m_stream.isEmpty())
        return;
    if (isSearchFiltered()) {
        // New events of the stream: the search looks at them too.
        m_count = version;
        if (m_searchAtEnd) {
            m_searchAtEnd = false;
            if (canFetchMore({}))
                fetchMore({});
            emit searchProgressed();
        }
        return;
    }
    const int added = int(version - m_count);
    if (m_newestFirst)
        beginInsertRows({}, 0, added - 1);
    else
        beginInsertRows({}, int(m_count), int(version) - 1);
    m_count = version;
    endInsertRows();
}

int StreamEventsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return isSearchFiltered() ? int(m_matches.size()) : int(m_count);
}

int StreamEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const RecordedEvent &StreamEventsModel::matchAt(int row) const
{
    return m_matches.at(m_newestFirst ? m_matches.size() - 1 - row : row);
}

qint64 StreamEventsModel::versionAt(int row) const
{
    if (isSearchFiltered())
        return row >= 0 && row < m_matches.size() ? matchAt(row).version.value : 0;
    return m_newestFirst ? m_count - row : row + 1;
}

int StreamEventsModel::rowOf(qint64 version) const
{
    if (isSearchFiltered()) {
        // Matches are in version order: a binary search; -1 when it is not one.
        const auto it = std::lower_bound(
            m_matches.cbegin(), m_matches.cend(), version,
            [](const RecordedEvent &e, qint64 v) { return e.version.value < v; });
        if (it == m_matches.cend() || it->version.value != version)
            return -1;
        const int index = int(it - m_matches.cbegin());
        return m_newestFirst ? int(m_matches.size()) - 1 - index : index;
    }
    return int(m_newestFirst ? m_count - version : version - 1);
}

std::optional<RecordedEvent> StreamEventsModel::eventAt(int row) const
{
    if (isSearchFiltered())
        return row >= 0 && row < m_matches.size() ? std::optional(matchAt(row)) : std::nullopt;
    if (row < 0 || row >= m_count)
        return std::nullopt;
    if (const RecordedEvent *e = m_cache.find(versionAt(row)); e && !EventPageCache::isHidden(*e))
        return *e;
    return std::nullopt;
}

QVariant StreamEventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    if (isSearchFiltered()) {
        const RecordedEvent &e = matchAt(index.row());
        return eventCell(kFields[index.column()], role, &e, EventField::Version, e.version.value,
                         m_offline);
    }
    const qint64 version = versionAt(index.row());
    const RecordedEvent *e = m_cache.find(version);
    if (!e && (role == Qt::DisplayRole || role == Qt::ToolTipRole))
        want(EventPageCache::pageOf(version));
    return eventCell(kFields[index.column()], role, e, EventField::Version, version, m_offline);
}

QVariant StreamEventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    return eventHeader(kFields[section], role);
}

void StreamEventsModel::want(qint64 page) const
{
    if (m_cache.want(page) && !m_requestTimer.isActive())
        m_requestTimer.start();
}

void StreamEventsModel::requestWanted()
{
    const QList<qint64> pages = m_cache.takeWanted(kMaxInFlight);
    if (m_stream.isEmpty())
        return;
    for (const qint64 page : pages) {
        const quint64 token = m_worker->readStream(m_stream, EventPageCache::firstKeyOf(page),
                                                   EventPageCache::pageSize);
        m_cache.setInFlight(token, page);
    }
}

void StreamEventsModel::onStreamRead(quint64 token, const QString &stream,
                                     const QList<RecordedEvent> &events)
{
    const qint64 page = m_cache.takeInFlight(token);
    if (page < 0 || stream != m_stream)
        return; // stale: another stream, or a reset since
    m_rowsFetched += events.size();
    qint64 maxVersion = 0;
    for (const RecordedEvent &e : events) {
        m_cache.insert(e.version.value, e);
        maxVersion = qMax(maxVersion, e.version.value);
    }
    if (maxVersion > m_count)
        growTo(maxVersion);
    // Readers see a stream from a version on (truncated, over a max count or age): the
    // versions of this page before the first one read are hidden.
    const qint64 pageFirst = EventPageCache::firstKeyOf(page);
    const qint64 seenFrom = events.isEmpty() ? m_count + 1 : events.first().version.value;
    m_cache.markHidden(pageFirst,
                       qMin(qMin(seenFrom - 1, pageFirst + EventPageCache::pageSize - 1), m_count),
                       false);
    emitChangedForVersions(EventPageCache::firstKeyOf(page),
                           EventPageCache::firstKeyOf(page) + EventPageCache::pageSize - 1);
    emit pageLoaded();
    if (m_cache.hasWanted() && !m_requestTimer.isActive())
        m_requestTimer.start();
}

void StreamEventsModel::onFailed(quint64 token, const QString &message)
{
    if (m_cache.takeInFlight(token) < 0)
        return;
    emit loadFailed(message);
}

void StreamEventsModel::emitChangedForVersions(qint64 first, qint64 last)
{
    if (isSearchFiltered())
        return; // the matches come whole; their rows do not wait for pages
    first = qMax<qint64>(1, first);
    last = qMin(last, m_count);
    if (first > last)
        return;
    int a = rowOf(first), b = rowOf(last);
    if (a > b)
        std::swap(a, b);
    emit dataChanged(index(a, 0), index(b, ColumnCount - 1));
}

void StreamEventsModel::applyLiveEvents(const QList<RecordedEvent> &events)
{
    if (m_stream.isEmpty())
        return;
    qint64 lo = 0, hi = 0;
    for (const RecordedEvent &e : events) {
        if (e.stream != m_stream)
            continue;
        m_cache.insert(e.version.value, e);
        lo = lo == 0 ? e.version.value : qMin(lo, e.version.value);
        hi = qMax(hi, e.version.value);
    }
    if (hi == 0)
        return;
    growTo(hi);
    emitChangedForVersions(lo, hi);
}

void StreamEventsModel::setSearch(const GlobalFilter &filter)
{
    StoreWorker::cancel(m_searchCancel); // a search still running is not wanted any more
    beginResetModel();
    m_search = filter;
    m_matches.clear();
    m_searchNext = 1;
    m_searchAtEnd = false;
    m_searchStopped = false;
    m_searchError.clear();
    m_searchToken = 0;
    endResetModel();
    if (canFetchMore({}))
        fetchMore({});
    emit searchProgressed();
}

void StreamEventsModel::stopSearch()
{
    if (!isSearching())
        return;
    m_searchStopped = true;
    StoreWorker::cancel(m_searchCancel);
    emit searchProgressed();
}

void StreamEventsModel::resumeSearch()
{
    if (!m_searchStopped || !m_searchError.isEmpty())
        return;
    m_searchStopped = false;
    if (canFetchMore({}))
        fetchMore({});
    emit searchProgressed();
}

bool StreamEventsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && isSearching() && m_searchToken == 0 && !m_stream.isEmpty();
}

void StreamEventsModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_searchCancel = Cancellation();
    m_searchToken
        = m_worker->searchStream(m_stream, m_searchNext, kSearchPage, m_search, m_searchCancel);
}

void StreamEventsModel::onSearched(quint64 token, const QString &stream,
                                   const StreamSearchPage &page)
{
    if (token != m_searchToken || token == 0 || stream != m_stream)
        return;
    m_searchToken = 0;
    m_rowsFetched += page.events.size();
    QList<RecordedEvent> fresh;
    for (const RecordedEvent &e : page.events) {
        if (e.version.value >= m_searchNext)
            fresh.append(e);
    }
    m_searchNext = qMax(m_searchNext, page.next.value);
    m_count = qMax(m_count, page.last.value);
    m_searchAtEnd = page.atEnd() && m_searchNext > m_count;
    if (!fresh.isEmpty()) {
        const int first = m_newestFirst ? 0 : int(m_matches.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_matches += fresh;
        endInsertRows();
    }
    emit pageLoaded();
    emit searchProgressed();
    // A window without matches: go on reading (bounded per request in the worker).
    if (fresh.isEmpty() && canFetchMore({}))
        fetchMore({});
}

void StreamEventsModel::updateEvent(const RecordedEvent &event)
{
    if (event.stream != m_stream || m_stream.isEmpty())
        return;
    m_cache.insert(event.version.value, event);
    for (RecordedEvent &match : m_matches) {
        if (match.id == event.id)
            match = event;
    }
    const int row = rowOf(event.version.value);
    if (row >= 0 && row < rowCount())
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void StreamEventsModel::reload()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void StreamEventsModel::setOffline(bool offline)
{
    if (offline == m_offline)
        return;
    m_offline = offline;
    // Rows not loaded change their words; loaded ones stay as they are.
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::DisplayRole});
}

} // namespace eventium::ui
