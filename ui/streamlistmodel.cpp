#include "streamlistmodel.h"

#include "eventcells.h"

#include "jsonformatter.h"
#include "storeworker.h"

#include <QLocale>
#include <QSet>

namespace eventium::ui {

StreamListModel::StreamListModel(StoreWorker *worker, QObject *parent)
    : QAbstractTableModel(parent)
    , m_worker(worker)
{
    connect(worker, &StoreWorker::streamsListed, this, &StreamListModel::onListed);
    connect(worker, &StoreWorker::failed, this, [this](quint64 token, const StoreError &error) {
        if (token == m_refreshToken) {
            m_refreshToken = 0; // the next live event asks again
            return;
        }
        if (token != m_token)
            return;
        m_token = 0;
        emit loadFailed(error.toString());
    });
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, &StreamListModel::startRefresh);
}

void StreamListModel::setPrefix(const QString &prefix)
{
    if (prefix == m_prefix)
        return;
    m_prefix = prefix;
    reload();
}

void StreamListModel::setOrder(StreamOrder order)
{
    if (order == m_order)
        return;
    m_order = order;
    reload();
}

void StreamListModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowByName.clear();
    m_cursor = {};
    m_hasMore = false;
    m_token = 0;
    m_refreshToken = 0;
    m_refreshWanted = false;
    m_refreshTimer.stop();
    endResetModel();
}

void StreamListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_rowByName.clear();
    m_cursor = {};
    m_hasMore = true;
    m_token = 0; // drops the answer to any request in flight
    m_refreshToken = 0;
    m_refreshWanted = false;
    m_refreshTimer.stop();
    endResetModel();
    fetchMore({});
}

int StreamListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StreamListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StreamListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const StreamInfo &s = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return s.name;
        case VersionColumn:
            return QLocale().toString(s.version.value);
        case UpdatedColumn:
            return listTime(s.updated);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == VersionColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == UpdatedColumn)
            return int(Qt::AlignCenter);
        break;
    case Qt::ToolTipRole: {
        QString tip = tr("%1\nversion %2, created %3, updated %4")
                          .arg(s.name, QLocale().toString(s.version.value),
                               JsonFormatter::displayTime(s.created),
                               JsonFormatter::displayTime(s.updated));
        // The version counts every event ever appended: say what readers no longer see.
        if (s.firstVisible.value > 1)
            tip += tr("\nversions before %1 hidden (truncated)")
                       .arg(QLocale().toString(s.firstVisible.value));
        if (s.metadata.maxCount)
            tip += tr("\nkeeps the last %1 events").arg(QLocale().toString(*s.metadata.maxCount));
        if (s.metadata.maxAge)
            tip += tr("\nhides events older than %1")
                       .arg(JsonFormatter::displayDuration(s.metadata.maxAge->count()));
        return tip;
    }
    case Qt::UserRole:
        return s.name;
    default:
        break;
    }
    return {};
}

QVariant StreamListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Stream");
        case VersionColumn:
            return tr("Version");
        case UpdatedColumn:
            return tr("Updated");
        }
    }
    if (role == Qt::TextAlignmentRole && section == VersionColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::TextAlignmentRole && section == UpdatedColumn)
        return int(Qt::AlignCenter);
    return {};
}

bool StreamListModel::canFetchMore(const QModelIndex &parent) const
{
    // Not while a refresh is on its way: it may move the cursor.
    return !parent.isValid() && m_hasMore && m_token == 0 && m_refreshToken == 0;
}

void StreamListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_token = m_worker->listStreams(m_cursor, pageSize, m_order, m_prefix);
}

void StreamListModel::onListed(quint64 token, const StreamPage &page)
{
    if (token != 0 && token == m_refreshToken)
        return onRefreshed(page);
    if (token != m_token)
        return;
    m_token = 0;
    m_cursor = page.next;
    m_hasMore = page.hasMore;
    m_rowsFetched += page.streams.size();
    QList<StreamInfo> fresh;
    for (const StreamInfo &s : page.streams) {
        if (!m_rowByName.contains(s.name)) // a refresh may have listed it already
            fresh.append(s);
    }
    if (!fresh.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size()) - 1);
        for (const StreamInfo &s : std::as_const(fresh)) {
            m_rowByName.insert(s.name, int(m_rows.size()));
            m_rows.append(s);
        }
        endInsertRows();
    }
    emit pageLoaded();
    if (m_refreshWanted && !m_refreshTimer.isActive())
        scheduleRefresh();
}

bool StreamListModel::wouldList(const QString &name) const
{
    if (!name.startsWith(m_prefix))
        return false;
    if (m_order == StreamOrder::ByRecency || !m_hasMore || m_rows.isEmpty())
        return true; // the newest come first; or everything is loaded
    // By name, only within the loaded range; later names come when scrolling.
    return name.toUtf8() < m_rows.last().name.toUtf8();
}

void StreamListModel::scheduleRefresh()
{
    m_refreshWanted = true;
    if (m_refreshTimer.isActive() || m_refreshToken != 0)
        return; // the refresh in flight asks again when it is done
    const qint64 wait = m_sinceRefresh.isValid() ? refreshIntervalMs - m_sinceRefresh.elapsed() : 0;
    m_refreshTimer.start(int(qBound(qint64(0), wait, qint64(refreshIntervalMs))));
}

void StreamListModel::startRefresh()
{
    if (!m_refreshWanted || m_refreshToken != 0)
        return;
    if (m_token != 0) { // a page is on its way: refresh after it
        m_refreshTimer.start(100);
        return;
    }
    m_refreshWanted = false;
    m_sinceRefresh.start();
    const int limit = m_order == StreamOrder::ByRecency
        ? pageSize
        : qBound(pageSize, int(m_rows.size()), maxRefreshRows);
    m_refreshToken = m_worker->listStreams({}, limit, m_order, m_prefix);
}

void StreamListModel::onRefreshed(const StreamPage &page)
{
    m_refreshToken = 0;
    ++m_refreshCount;
    QList<StreamInfo> rows = page.streams;
    if (!page.hasMore || m_rows.size() <= page.streams.size()) {
        // The refreshed range covers every row loaded so far.
        m_cursor = page.next;
        m_hasMore = page.hasMore;
    } else {
        // More rows are loaded than were re-read: keep those after the re-read range (by
        // recency, the rest of the old rows) and the cursor that continues after them.
        QSet<QString> reread;
        for (const StreamInfo &s : page.streams)
            reread.insert(s.name);
        const QByteArray last
            = page.streams.isEmpty() ? QByteArray() : page.streams.last().name.toUtf8();
        for (const StreamInfo &s : std::as_const(m_rows)) {
            if (!reread.contains(s.name)
                && (m_order == StreamOrder::ByRecency || s.name.toUtf8() > last))
                rows.append(s);
        }
    }
    mergeRows(rows);
    emit pageLoaded();
    if (m_refreshWanted)
        scheduleRefresh();
}

void StreamListModel::mergeRows(const QList<StreamInfo> &rows)
{
    QSet<QString> keep;
    for (const StreamInfo &s : rows)
        keep.insert(s.name);
    // Rows that are gone, in runs from the bottom.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (keep.contains(m_rows.at(i).name))
            continue;
        int first = i;
        while (first > 0 && !keep.contains(m_rows.at(first - 1).name))
            --first;
        beginRemoveRows({}, first, i);
        m_rows.remove(first, i - first + 1);
        endRemoveRows();
        i = first;
    }
    // Now every row is wanted: walk the wanted order, moving or inserting where it differs.
    for (int i = 0; i < rows.size(); ++i) {
        const StreamInfo &want = rows.at(i);
        if (i < m_rows.size() && m_rows.at(i).name == want.name) {
            StreamInfo &have = m_rows[i];
            if (have.version != want.version || have.updated != want.updated) {
                have = want;
                emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
            } else {
                have.recency = want.recency;
            }
            continue;
        }
        int from = -1;
        for (int j = i + 1; j < m_rows.size(); ++j) {
            if (m_rows.at(j).name == want.name) {
                from = j;
                break;
            }
        }
        if (from >= 0) {
            beginMoveRows({}, from, from, {}, i);
            m_rows.move(from, i);
            endMoveRows();
            m_rows[i] = want;
            emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
        } else {
            beginInsertRows({}, i, i);
            m_rows.insert(i, want);
            endInsertRows();
        }
    }
    rebuildIndex();
}

void StreamListModel::rebuildIndex()
{
    m_rowByName.clear();
    m_rowByName.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowByName.insert(m_rows.at(i).name, i);
}

StreamInfo StreamListModel::streamAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : StreamInfo {};
}

int StreamListModel::rowOf(const QString &name) const
{
    return m_rowByName.value(name, -1);
}

void StreamListModel::applyLiveEvents(const QList<RecordedEvent> &events)
{
    bool unlisted = false;
    for (const RecordedEvent &e : events) {
        int row = rowOf(e.stream);
        if (row < 0) {
            unlisted = unlisted || wouldList(e.stream);
            continue;
        }
        if (e.version.value <= m_rows.at(row).version.value)
            continue;
        if (m_order == StreamOrder::ByRecency && row > 0) {
            // The newest activity first: the stream moves to the top.
            beginMoveRows({}, row, row, {}, 0);
            m_rows.move(row, 0);
            endMoveRows();
            for (int k = 0; k <= row; ++k)
                m_rowByName.insert(m_rows.at(k).name, k);
            row = 0;
        }
        StreamInfo &s = m_rows[row];
        s.version = e.version;
        s.updated = e.created;
        emit dataChanged(index(row, VersionColumn), index(row, UpdatedColumn));
    }
    if (unlisted)
        scheduleRefresh();
}

} // namespace eventium::ui
