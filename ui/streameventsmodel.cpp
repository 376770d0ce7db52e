#include "streameventsmodel.h"

#include "eventcells.h"
#include "storeworker.h"

#include <array>

namespace eventium::ui {

namespace {
constexpr int kMaxInFlight = 6;
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
    connect(worker, &StoreWorker::failed, this,
            [this](quint64 token, const StoreError &error) { onFailed(token, error.toString()); });
}

void StreamEventsModel::setStream(const QString &stream, qint64 version)
{
    beginResetModel();
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
    return parent.isValid() ? 0 : int(m_count);
}

int StreamEventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

qint64 StreamEventsModel::versionAt(int row) const
{
    return m_newestFirst ? m_count - row : row + 1;
}

int StreamEventsModel::rowOf(qint64 version) const
{
    return int(m_newestFirst ? m_count - version : version - 1);
}

std::optional<RecordedEvent> StreamEventsModel::eventAt(int row) const
{
    if (row < 0 || row >= m_count)
        return std::nullopt;
    if (const RecordedEvent *e = m_cache.find(versionAt(row)))
        return *e;
    return std::nullopt;
}

QVariant StreamEventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_count || index.column() >= ColumnCount)
        return {};
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

void StreamEventsModel::reload()
{
    if (m_count > 0)
        emit dataChanged(index(0, 0), index(int(m_count) - 1, ColumnCount - 1));
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
