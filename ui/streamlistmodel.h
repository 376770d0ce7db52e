#pragma once

#include "storemetatypes.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QHash>
#include <QTimer>

namespace eventium::ui {

class StoreWorker;

// Streams with their event count (= version) and last update, read page by page by key
// (listStreams with a StreamCursor) as the view scrolls; filtered by name prefix and sorted
// by name or by recency. A million streams cost one page until someone scrolls.
// Streams created elsewhere show up by themselves: live events for streams that are not
// listed (but would be) bring a re-read of the first rows, at most once a second, merged in
// place (rows inserted, moved and updated, so the selection and scroll position stay).
class StreamListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, VersionColumn, UpdatedColumn, ColumnCount };
    static constexpr int pageSize = 300;
    // At most one refresh a second; by name it re-reads the loaded rows up to this many.
    static constexpr int refreshIntervalMs = 1000;
    static constexpr int maxRefreshRows = 3000;

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

    // Live events update the counts of streams already listed (sorted by recency, they move
    // to the top); streams not listed yet bring a refresh.
    void applyLiveEvents(const QList<RecordedEvent> &events);
    // Re-reads the first rows (by recency one page, by name the loaded range) and merges
    // them into the list; throttled to one request a second.
    void scheduleRefresh();
    int refreshCount() const { return m_refreshCount; }

signals:
    void pageLoaded();
    void loadFailed(const QString &message);

private:
    void onListed(quint64 token, const StreamPage &page);
    void startRefresh();
    void onRefreshed(const StreamPage &page);
    // Turns the rows into `rows` with row-level changes (removes, moves, inserts, updates).
    void mergeRows(const QList<StreamInfo> &rows);
    void rebuildIndex();
    bool wouldList(const QString &name) const;

    StoreWorker *m_worker;
    QString m_prefix;
    StreamOrder m_order = StreamOrder::ByName;
    QList<StreamInfo> m_rows;
    QHash<QString, int> m_rowByName;
    StreamCursor m_cursor;
    bool m_hasMore = true;
    quint64 m_token = 0;
    qint64 m_rowsFetched = 0;

    QTimer m_refreshTimer;
    QElapsedTimer m_sinceRefresh;
    bool m_refreshWanted = false;
    quint64 m_refreshToken = 0;
    int m_refreshCount = 0;
};

} // namespace eventium::ui
