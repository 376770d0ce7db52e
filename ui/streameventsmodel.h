#pragma once

#include "eventpagecache.h"
#include "storemetatypes.h"

#include <eventium/cancellation.h>

#include <QAbstractTableModel>
#include <QTimer>

#include <optional>

namespace eventium::ui {

class StoreWorker;

// The events of one stream. Versions are dense (1..N), so the model has N rows from the
// start and reads only the pages that are looked at (by key: readStream from a version);
// a stream of a million events opens at once. Oldest-first or newest-first.
//
// With a search (setSearch), the rows are the stream's events that match it, found by the
// server (Store::searchStream) page by page as the view scrolls; events appended to the
// stream meanwhile are searched too.
class StreamEventsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { VersionColumn, TypeColumn, TimeColumn, PositionColumn, ColumnCount };

    explicit StreamEventsModel(StoreWorker *worker, QObject *parent = nullptr);

    void setStream(const QString &stream, qint64 version);
    const QString &stream() const { return m_stream; }
    qint64 streamVersion() const { return m_count; }
    void setNewestFirst(bool newestFirst);
    bool newestFirst() const { return m_newestFirst; }
    // Grows the stream to `version` rows (new events appended elsewhere).
    void growTo(qint64 version);
    void clear();

    // Shows only the events that match `filter`'s search conditions (empty: all again).
    void setSearch(const GlobalFilter &filter);
    const GlobalFilter &search() const { return m_search; }
    bool isSearchFiltered() const { return !m_search.isEmpty(); }
    // The search has not reached the stream's end yet, and is not stopped.
    bool isSearching() const { return isSearchFiltered() && !m_searchAtEnd && !m_searchStopped; }
    // Stops reading further (the statement running on the server is cancelled).
    void stopSearch();
    // Reads on from where a stopped search ended.
    void resumeSearch();
    bool isSearchStopped() const { return m_searchStopped; }
    // The version the search has read up to; why the server refused it (empty otherwise).
    qint64 searchedTo() const { return m_searchNext - 1; }
    const QString &searchError() const { return m_searchError; }
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    qint64 versionAt(int row) const;
    int rowOf(qint64 version) const;
    // The event in a row if it is loaded.
    std::optional<RecordedEvent> eventAt(int row) const;
    // Rows read from the store since the stream was set (a measure of laziness).
    qint64 rowsFetched() const { return m_rowsFetched; }
    qint64 pagesInFlight() const { return m_cache.inFlightCount(); }

    // Events from the live feed: those of this stream update or grow the model.
    void applyLiveEvents(const QList<RecordedEvent> &events);
    // Re-reads what is visible (after a reconnect).
    void reload();
    // An event of the stream as it is now (after its data was erased): shown in its place.
    void updateEvent(const RecordedEvent &event);
    // While the server cannot be reached, rows not loaded say so (not "loading…").
    void setOffline(bool offline);
    bool isOffline() const { return m_offline; }

signals:
    // A page arrived; rows that were placeholders may now have events.
    void pageLoaded();
    // The search found more, went further, stopped or was refused.
    void searchProgressed();
    void loadFailed(const QString &message);

private:
    void want(qint64 page) const;
    void requestWanted();
    void onStreamRead(quint64 token, const QString &stream, const QList<RecordedEvent> &events);
    void onFailed(quint64 token, const QString &message);
    void emitChangedForVersions(qint64 first, qint64 last);
    void onSearched(quint64 token, const QString &stream, const StreamSearchPage &page);
    // The match shown in a row (search mode).
    const RecordedEvent &matchAt(int row) const;

    StoreWorker *m_worker;
    QString m_stream;
    qint64 m_count = 0;
    bool m_newestFirst = false;
    mutable EventPageCache m_cache;
    mutable QTimer m_requestTimer;
    qint64 m_rowsFetched = 0;
    GlobalFilter m_search;
    QList<RecordedEvent> m_matches; // in version order
    qint64 m_searchNext = 1;
    bool m_searchAtEnd = false;
    bool m_searchStopped = false;
    QString m_searchError;
    quint64 m_searchToken = 0;
    Cancellation m_searchCancel = Cancellation::none();
    bool m_offline = false;
};

} // namespace eventium::ui
