#pragma once

#include "eventpagecache.h"
#include "storemetatypes.h"

#include <eventium/cancellation.h>

#include <QAbstractTableModel>
#include <QMap>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace eventium::ui {

class StoreWorker;

// The global sequence. Unfiltered, positions are dense (1..head): the model has one row per
// numbered position and reads only the pages that are looked at, by key (readAll from a
// position). Filtered by event type, rows are read forwards page by page (fetchMore) from
// a starting position. While following, new events from the live feed are added as rows;
// paused, the rows stay as they are and the newer head is only remembered.
class LiveEventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        PositionColumn,
        StreamColumn,
        VersionColumn,
        TypeColumn,
        TimeColumn,
        ColumnCount
    };

    explicit LiveEventsModel(StoreWorker *worker, QObject *parent = nullptr);

    // Starts over with `head` numbered positions (after connecting).
    void reset(qint64 head);
    // The events to show (types, and the server-side search conditions); empty for all. A
    // filtered model starts at `from` and reads forwards page by page.
    void setFilter(const GlobalFilter &filter, qint64 from = 1);
    const GlobalFilter &filter() const { return m_filter; }
    bool isFiltered() const { return !m_filter.isEmpty(); }
    // Filtered: the rows have not been read up to the head yet (a search in progress).
    bool isSearching() const { return isFiltered() && !m_atHead && !m_stopped; }
    // Stops reading further pages of a filtered model (a search the user has seen enough
    // of): the statement running on the server is cancelled (PQcancel).
    void stopSearching();
    // Reads on from where a stopped search ended.
    void resumeSearching();
    bool isStopped() const { return m_stopped; }
    // Why the server refused the search; empty otherwise.
    const QString &searchError() const { return m_searchError; }
    // The position the filtered rows have been read up to.
    qint64 searchedTo() const { return m_next - 1; }

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // The newest head known (from the live feed), whether shown or not.
    qint64 knownHead() const { return m_knownHead; }
    // The last position shown.
    qint64 shownHead() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    std::optional<RecordedEvent> eventAt(int row) const;
    // The row showing a position, or the first row after it (filtered); -1 when none.
    int rowForPosition(qint64 position) const;
    // Unfiltered: every position up to the head has a row. Filtered: starts over at
    // `position`. Returns the row to scroll to (-1 when not there).
    int jumpTo(qint64 position);

    qint64 rowsFetched() const { return m_rowsFetched; }

    void applyLiveEvents(const QList<RecordedEvent> &events);
    void applyHead(qint64 head);
    void reload();
    // Forgets the loaded pages (after a stream was deleted or truncated): rows on screen are
    // read again.
    void forgetLoaded();
    // An event as it is now (after its data was erased): shown in its place.
    void updateEvent(const RecordedEvent &event);
    // Where subscriptions stand: the row at each checkpoint is marked (an icon in the Position
    // cell, a tint, and a tooltip naming the subscriptions that have handled up to there).
    void setCheckpoints(const QList<toolkit::SubscriptionStatus> &subscriptions);
    // The subscriptions whose checkpoint is `position` (empty: none).
    QStringList checkpointsAt(qint64 position) const { return m_checkpoints.value(position); }
    // While the server cannot be reached, rows not loaded say so (not "loading…").
    void setOffline(bool offline);
    bool isOffline() const { return m_offline; }

signals:
    void pageLoaded();
    void loadFailed(const QString &message);
    void rowsAppended(int count);
    // A filtered read came back, or the filter changed or was stopped.
    void searchProgressed();

private:
    qint64 positionAt(int row) const { return row + 1; }
    void want(qint64 page) const;
    void requestWanted();
    void growTo(qint64 head);
    void onGlobalRead(quint64 token, const GlobalPage &page);
    void onFailed(quint64 token, const QString &message);
    bool matches(const RecordedEvent &e) const;

    StoreWorker *m_worker;
    GlobalFilter m_filter;
    bool m_stopped = false;
    QString m_searchError;
    bool m_paused = false;
    qint64 m_knownHead = 0;
    qint64 m_rowsFetched = 0;

    // Unfiltered.
    qint64 m_count = 0;
    mutable EventPageCache m_cache;
    mutable QTimer m_requestTimer;

    // Filtered.
    QList<RecordedEvent> m_rows;
    qint64 m_next = 1; // the next position to read
    bool m_atHead = false; // everything up to the head has been read
    quint64 m_fetchToken = 0;
    Cancellation m_cancel = Cancellation::none(); // of the search page being read
    bool m_offline = false;
    QMap<qint64, QStringList> m_checkpoints; // position -> subscriptions handled up to it
};

} // namespace eventium::ui
