#pragma once

#include "searchbox.h"

#include <eventium/types.h>

#include <QWidget>

#include <optional>

class QLabel;
class QSplitter;
class QTableView;
class QToolButton;

namespace eventium::ui {

class EventDetailView;
class EventRowMenu;
class StateView;
class StoreWorker;
class StreamEventsModel;

// The "Stream" tab: one stream's events (version, type, time, position), oldest- or
// newest-first, with the selected event's JSON beside them and, on the detail's "State" page,
// the state after it; Alt+Left and Alt+Right select the previous and next version.
class StreamView : public QWidget
{
    Q_OBJECT
public:
    explicit StreamView(StoreWorker *worker, QWidget *parent = nullptr);

    void setStream(const QString &stream, qint64 version);
    QString stream() const;
    void setNewestFirst(bool newestFirst);
    // Selects the row of a version once it exists.
    void selectVersion(qint64 version);
    std::optional<RecordedEvent> currentEvent() const;
    // While the server cannot be reached the header says so, and rows not loaded too.
    void setOffline(bool offline);
    QLabel *infoLabel() const { return m_info; }
    // Searches the stream on the server (an expression or text in the payload); empty text
    // shows all its events again.
    void setSearch(SearchBox::Mode mode, const QString &text);
    SearchBox *searchBox() const { return m_searchBox; }
    QLabel *searchStatus() const { return m_searchStatus; }

    StreamEventsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    EventDetailView *detail() const { return m_detail; }
    // The detail's "State" page: the state after the selected event by its stream's projection.
    StateView *stateView() const { return m_state; }
    QSplitter *splitter() const { return m_splitter; }
    EventRowMenu *rowMenu() const { return m_rowMenu; }

private:
    void updateHeader();
    void applySearch();
    void updateSearchStatus();
    void showCurrent();

    StreamEventsModel *m_model;
    QLabel *m_title;
    QLabel *m_info;
    QToolButton *m_order;
    QTableView *m_table;
    EventDetailView *m_detail;
    StateView *m_state;
    QSplitter *m_splitter;
    EventRowMenu *m_rowMenu;
    SearchBox *m_searchBox;
    QLabel *m_searchStatus;
    bool m_offline = false;
};

} // namespace eventium::ui
