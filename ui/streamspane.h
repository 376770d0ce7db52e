#pragma once

#include <eventium/types.h>

#include <QMenu>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace eventium::ui {

class StoreWorker;
class StreamListModel;

// The streams pane on the browser's left: a prefix filter, the sort order, the streams read
// page by page, and a line counting them. It remembers the stream it selected (or was asked
// to select) and selects it again whenever the list is read anew.
class StreamsPane : public QWidget
{
    Q_OBJECT
public:
    explicit StreamsPane(StoreWorker *worker, QWidget *parent = nullptr);

    // While not connected, typing a filter only waits for load().
    void setConnected(bool connected);
    // The connection was lost (not: never made): the count line says the list may be stale.
    void setOffline(bool offline);
    QLabel *countLabel() const { return m_count; }
    // Lists the streams from the start with the filter as typed.
    void load();
    // Reads the list again from the start.
    void reload();
    // Forgets the streams and the selection (a new connection).
    void clear();
    // Selects a stream's row: at once when it is listed, otherwise once a page lists it.
    void selectStream(const QString &name);
    void applyLiveEvents(const QList<RecordedEvent> &events);
    // The number of streams in the store, from the statistics; -1 when unknown.
    void setTotalStreams(qint64 total);
    void focusFilter();

    StreamOrder order() const;
    void setOrder(StreamOrder order);

    StreamListModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *filter() const { return m_filter; }
    // The row menu open now (for tests), or null.
    QMenu *rowMenu() const { return m_menu; }
    // The menu of a stream's row (or, when `row` is -1, of the current row): open it, copy its
    // name, append to it, search the Live tab for it.
    void openRowMenu(int row);

signals:
    // The user (or a click, or the keyboard) made another row current.
    void streamSelected(const eventium::StreamInfo &info);
    void appendRequested(const QString &stream);
    void searchLiveRequested(const QString &stream);
    void deleteRequested(const eventium::StreamInfo &info);
    void truncateRequested(const eventium::StreamInfo &info);
    void metadataRequested(const eventium::StreamInfo &info);
    void copied(const QString &what);

private:
    void onCurrentRowChanged();
    // Enter in the filter: the first stream it lists is opened (once it is listed).
    void openFirstMatch();
    void onPageLoaded();
    void updateCount();

    StreamListModel *m_model;
    QLineEdit *m_filter;
    QComboBox *m_order;
    QTableView *m_table;
    QLabel *m_count;
    QTimer *m_filterTimer;
    bool m_connected = false;
    bool m_offline = false;
    qint64 m_totalStreams = -1;
    QString m_selected; // the stream selected last
    QString m_pending; // to select once the list has it
    bool m_openFirst = false; // open the first row once the filter's list arrives
    QPointer<QMenu> m_menu;
};

} // namespace eventium::ui
