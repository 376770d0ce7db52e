#pragma once

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
class StoreWorker;
class StreamEventsModel;

// The "Stream" tab: one stream's events (version, type, time, position), oldest- or
// newest-first, with the selected event's JSON beside them.
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

    StreamEventsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    EventDetailView *detail() const { return m_detail; }
    QSplitter *splitter() const { return m_splitter; }
    EventRowMenu *rowMenu() const { return m_rowMenu; }

private:
    void updateHeader();
    void showCurrent();

    StreamEventsModel *m_model;
    QLabel *m_title;
    QLabel *m_info;
    QToolButton *m_order;
    QTableView *m_table;
    EventDetailView *m_detail;
    QSplitter *m_splitter;
    EventRowMenu *m_rowMenu;
    bool m_offline = false;
};

} // namespace eventium::ui
