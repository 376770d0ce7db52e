#pragma once

#include "eventpagecache.h"
#include "storemetatypes.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <optional>

namespace eventium::ui {

class StoreWorker;

// The events of one stream. Versions are dense (1..N), so the model has N rows from the
// start and reads only the pages that are looked at (by key: readStream from a version);
// a stream of a million events opens at once. Oldest-first or newest-first.
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
    // While the server cannot be reached, rows not loaded say so (not "loading…").
    void setOffline(bool offline);
    bool isOffline() const { return m_offline; }

signals:
    // A page arrived; rows that were placeholders may now have events.
    void pageLoaded();
    void loadFailed(const QString &message);

private:
    void want(qint64 page) const;
    void requestWanted();
    void onStreamRead(quint64 token, const QString &stream, const QList<RecordedEvent> &events);
    void onFailed(quint64 token, const QString &message);
    void emitChangedForVersions(qint64 first, qint64 last);

    StoreWorker *m_worker;
    QString m_stream;
    qint64 m_count = 0;
    bool m_newestFirst = false;
    mutable EventPageCache m_cache;
    mutable QTimer m_requestTimer;
    qint64 m_rowsFetched = 0;
    bool m_offline = false;
};

} // namespace eventium::ui
