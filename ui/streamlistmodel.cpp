#include "streamlistmodel.h"

#include "jsonformatter.h"
#include "storeworker.h"

#include <QLocale>

namespace eventium::ui {

StreamListModel::StreamListModel(StoreWorker *worker, QObject *parent)
    : QAbstractTableModel(parent), m_worker(worker)
{
    connect(worker, &StoreWorker::streamsListed, this, &StreamListModel::onListed);
    connect(worker, &StoreWorker::failed, this, [this](quint64 token, const StoreError &error) {
        if (token != m_token)
            return;
        m_token = 0;
        emit loadFailed(error.toString());
    });
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
        case NameColumn: return s.name;
        case EventsColumn: return QLocale().toString(s.version.value);
        case UpdatedColumn: {
            const QDateTime local = s.updated.toLocalTime();
            return local.date() == QDate::currentDate() ? local.toString(QStringLiteral("HH:mm:ss"))
                                                        : local.toString(QStringLiteral("yyyy-MM-dd"));
        }
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == EventsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return tr("%1\n%2 events, created %3, updated %4")
            .arg(s.name, QLocale().toString(s.version.value), JsonFormatter::displayTime(s.created),
                 JsonFormatter::displayTime(s.updated));
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
        case NameColumn: return tr("Stream");
        case EventsColumn: return tr("Events");
        case UpdatedColumn: return tr("Updated");
        }
    }
    if (role == Qt::TextAlignmentRole && section == EventsColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool StreamListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && m_token == 0;
}

void StreamListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_token = m_worker->listStreams(m_cursor, pageSize, m_order, m_prefix);
}

void StreamListModel::onListed(quint64 token, const StreamPage &page)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_cursor = page.next;
    m_hasMore = page.hasMore;
    m_rowsFetched += page.streams.size();
    if (!page.streams.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page.streams.size()) - 1);
        for (const StreamInfo &s : page.streams) {
            m_rowByName.insert(s.name, int(m_rows.size()));
            m_rows.append(s);
        }
        endInsertRows();
    }
    emit pageLoaded();
}

StreamInfo StreamListModel::streamAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : StreamInfo{};
}

int StreamListModel::rowOf(const QString &name) const
{
    return m_rowByName.value(name, -1);
}

void StreamListModel::applyLiveEvents(const QList<RecordedEvent> &events)
{
    for (const RecordedEvent &e : events) {
        const int row = rowOf(e.stream);
        if (row < 0)
            continue;
        StreamInfo &s = m_rows[row];
        if (e.version.value > s.version.value) {
            s.version = e.version;
            s.updated = e.created;
            emit dataChanged(index(row, EventsColumn), index(row, UpdatedColumn));
        }
    }
}

} // namespace eventium::ui
