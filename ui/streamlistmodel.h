#pragma once

#include "storemetatypes.h"

#include <QAbstractTableModel>
#include <QHash>

namespace eventium::ui {

class StoreWorker;

// Streams with their event count (= version) and last update, read page by page by key
// (listStreams with a StreamCursor) as the view scrolls; filtered by name prefix and sorted
// by name or by recency. A million streams cost one page until someone scrolls.
class StreamListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, EventsColumn, UpdatedColumn, ColumnCount };
    static constexpr int pageSize = 300;

    explicit StreamListModel(StoreWorker *worker, QObject *parent = nullptr);

    void setPrefix(const QString &prefix);
    const QString &prefix() const { return m_prefix; }
    void setOrder(StreamOrder order);
    StreamOrder order() const { return m_order; }
    // Starts over from the first page.
    void reload();
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    StreamInfo streamAt(int row) const;
    int rowOf(const QString &name) const;
    bool isLoading() const { return m_token != 0; }
    bool hasMore() const { return m_hasMore; }
    qint64 rowsFetched() const { return m_rowsFetched; }

    // Live events update the counts of streams already listed.
    void applyLiveEvents(const QList<RecordedEvent> &events);

signals:
    void pageLoaded();
    void loadFailed(const QString &message);

private:
    void onListed(quint64 token, const StreamPage &page);

    StoreWorker *m_worker;
    QString m_prefix;
    StreamOrder m_order = StreamOrder::ByName;
    QList<StreamInfo> m_rows;
    QHash<QString, int> m_rowByName;
    StreamCursor m_cursor;
    bool m_hasMore = true;
    quint64 m_token = 0;
    qint64 m_rowsFetched = 0;
};

} // namespace eventium::ui
