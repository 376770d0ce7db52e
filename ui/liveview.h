#pragma once

#include "searchbox.h"

#include <eventium/types.h>

#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QWidget>

#include <optional>

class QComboBox;
class QFrame;
class QLabel;
class QPushButton;
class QStringListModel;
class QLineEdit;
class QSplitter;
class QTimer;
class QToolButton;

namespace eventium::ui {

class EventDetailView;
class EventRowMenu;
class EventTableView;
class LiveEventsModel;
class StoreWorker;

// The "Live" tab: the global sequence by position. Follows new events as they are numbered
// (auto-scrolling only while the view is at the bottom), can be paused, jumps to a
// position, filters by event type, and shows the rate and how far it is behind the head.
class LiveView : public QWidget
{
    Q_OBJECT
public:
    explicit LiveView(StoreWorker *worker, QWidget *parent = nullptr);

    void reset(qint64 head);
    void setPaused(bool paused);
    bool isPaused() const;
    void togglePaused() { setPaused(!isPaused()); }
    // Selects and shows a position; returns false when there is no such row (yet).
    bool jumpTo(qint64 position);
    void setTypeFilter(const QString &text);
    void focusFilter();
    // What the search box looks for.
    using SearchMode = SearchBox::Mode;
    static constexpr SearchMode SearchWhere = SearchBox::SearchWhere;
    static constexpr SearchMode SearchText = SearchBox::SearchText;
    static constexpr SearchMode SearchStream = SearchBox::SearchStream;
    // Searches the global sequence on the server (with the type filter, if any).
    void setSearch(SearchMode mode, const QString &text);
    void focusSearch();
    // The head of the store as last seen (stats or live feed).
    void setStoreHead(qint64 head);
    void applyLiveEvents(const QList<RecordedEvent> &events);
    std::optional<RecordedEvent> currentEvent() const;

    double rate() const { return m_rate; }
    // "following, at head", "paused at N · M new", "scrolled back, N behind", "disconnected",
    // "stopped: the server's history changed";
    // with a search: "following the search", "paused", "search stopped".
    QString followStatus() const;
    qint64 behind() const;

    LiveEventsModel *model() const { return m_model; }
    EventTableView *table() const { return m_table; }
    EventDetailView *detail() const { return m_detail; }
    QSplitter *splitter() const { return m_splitter; }
    QLineEdit *filterEdit() const { return m_filter; }
    // The event types offered by the type filter's completer.
    QStringList knownTypes() const;
    QLineEdit *searchEdit() const { return m_searchBox->edit(); }
    QComboBox *searchMode() const { return m_searchBox->modeCombo(); }
    QLabel *searchStatus() const { return m_searchStatus; }
    QToolButton *stopButton() const { return m_searchBox->stopButton(); }
    // "N new events ↓", over the table while newer events are off screen (scrolled back or
    // paused): it resumes following at the newest event.
    QToolButton *latestButton() const { return m_latest; }
    EventRowMenu *rowMenu() const { return m_rowMenu; }
    // The bar shown when the live feed stopped because the server's history changed (a
    // failover lost commits shown here), with its button to follow again from the head.
    QFrame *historyBanner() const { return m_historyBanner; }
    QLabel *historyLabel() const { return m_historyLabel; }
    QPushButton *followAgainButton() const { return m_followAgain; }
    // Follows again from the newest event (the button above, Ctrl+End).
    void goToLatest();

signals:
    void pausedChanged(bool paused);
    // A row was double-clicked (or Enter pressed on it): show its stream at that event.
    void openStreamRequested(const QString &stream, qint64 version);

private:
    void showCurrent();
    void updateStatus();
    void applyFilter();
    void updateSearchStatus();
    // Numbered events newer than the last row on screen (0 while following at the bottom).
    qint64 unseen() const;
    void placeLatestButton();
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showHistoryRewritten(const QString &message);
    void followAgain();

    LiveEventsModel *m_model;
    QToolButton *m_follow;
    QLineEdit *m_filter;
    StoreWorker *m_worker;
    QStringListModel *m_types; // the event types that exist, for the filter's completer
    quint64 m_typesToken = 0;
    SearchBox *m_searchBox;
    QLabel *m_searchStatus;
    QFrame *m_historyBanner;
    QLabel *m_historyLabel;
    QPushButton *m_followAgain;
    quint64 m_followAgainToken = 0;
    QLabel *m_rateLabel;
    QLabel *m_behindLabel;
    QToolButton *m_latest;
    EventRowMenu *m_rowMenu;
    EventTableView *m_table;
    EventDetailView *m_detail;
    QSplitter *m_splitter;
    QTimer *m_filterTimer;
    QTimer *m_statusTimer;
    bool m_wasAtBottom = true;
    qint64 m_storeHead = 0;
    qint64 m_pendingJump = 0;
    // Events received per tick, for the rate over the last few seconds.
    QList<QPair<qint64, int>> m_arrivals;
    QElapsedTimer m_clock;
    double m_rate = 0;
};

} // namespace eventium::ui
