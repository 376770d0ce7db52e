#pragma once

#include "storeworker.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QDockWidget;
class QFrame;
class QPushButton;
class QLabel;
class QLineEdit;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace eventium::ui {

class ActivityChart;
class AppendDialog;
class LiveView;
class RelatedPane;
class TransferDialog;
class StreamListModel;
class StreamsPane;
class StreamView;
class SubscriptionsPane;

// The event browser: streams on the left; on the right the activity chart (of the stream shown,
// or of the whole store on the Live tab) above the tabs "Stream" (one stream's events), "Live"
// (the global sequence, followed as it grows), each with the selected event's JSON, and
// "Subscriptions" (where each durable subscription stands); below, when asked for, the events
// related to the selected one. All database work happens in a StoreWorker thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        ConnectionTarget target;
        bool sample = false; // fill an empty store with sample data after connecting
        int sampleEvents = 2000;
        bool restoreState = true; // window geometry and splitters from QSettings
    };

    explicit MainWindow(Options options, QWidget *parent = nullptr);
    ~MainWindow() override;

    void connectTo(const ConnectionTarget &target);
    bool isConnected() const { return m_connected; }
    // Sample data asked for and not yet written.
    bool isFillingSampleData() const { return m_sampleToken != 0; }
    const ConnectionInfo &connectionInfo() const { return m_info; }

    // Opens the append dialog (window-modal, not blocking) and returns it.
    // The append dialog for `stream` (empty: the stream shown, if any).
    AppendDialog *openAppendDialog(const QString &stream = {});
    void openConnectDialog();
    // File > Export Events… / Import Events…: a TransferDialog on the current connection, the
    // open stream and the Live tab's filter (window-modal, not blocking); null when not
    // connected.
    TransferDialog *openTransferDialog(bool importing);
    void fillSampleData();
    // Asks first when the store is not empty.
    void askToFillSampleData();
    void refresh();
    void copyCurrentEvent();
    void jumpToPosition(qint64 position);
    void showAbout();
    // Opens a stream in the "Stream" tab (selects it in the list when it is loaded).
    void openStream(const QString &name, qint64 version);
    // Opens a stream on the Stream tab with the event of `version` selected (its length is
    // looked up first).
    void openStreamAt(const QString &name, qint64 version);
    // Ctrl+G's answer: on the Stream tab (with a stream open) a version of that stream, on
    // the Live tab a global position; or a time (JumpTarget), the first event at or after it,
    // found by the server. False (and said in the status bar) when it is neither.
    bool jumpTo(const QString &text);

    StoreWorker *worker() const { return m_worker.get(); }
    StreamsPane *streamsPane() const { return m_streams; }
    StreamListModel *streamsModel() const;
    QTableView *streamsTable() const;
    QLineEdit *streamFilter() const;
    StreamView *streamView() const { return m_streamView; }
    ActivityChart *activityChart() const { return m_activity; }
    LiveView *liveView() const { return m_liveView; }
    // The Related Events pane (a dock at the bottom, View > Related Events, Ctrl+R): the
    // events related to the current tab's selected event.
    RelatedPane *relatedPane() const { return m_related; }
    QDockWidget *relatedDock() const { return m_relatedDock; }
    // Shows the Related Events pane for `event`.
    void showRelated(const RecordedEvent &event);
    SubscriptionsPane *subscriptionsPane() const { return m_subscriptions; }
    QTabWidget *tabs() const { return m_tabs; }
    QAction *appendAction() const { return m_appendAction; }
    QLabel *connectionLabel() const { return m_connectionLabel; }
    QLabel *noticeLabel() const { return m_noticeLabel; }
    // What the browser reads from: "primary", or "standby · lag 4 ms" (refreshed with the
    // statistics, off the UI thread).
    QLabel *roleLabel() const { return m_roleLabel; }
    // "primary", "standby · lag 4 ms", "standby · lag unknown".
    static QString roleText(const ReplicationStatus &status);
    // The bar across the top while the server cannot be reached, with its buttons.
    QFrame *outageBar() const { return m_outage; }
    QLabel *outageLabel() const { return m_outageLabel; }
    QPushButton *retryButton() const { return m_retryButton; }
    QPushButton *restartButton() const { return m_restartButton; }

signals:
    void connectedToStore(const eventium::ui::ConnectionInfo &info);
    void connectFailed(const QString &message);
    void sampleDataReady();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createLayout();
    void restoreSettings();
    void saveSettings();
    void onConnected(quint64 token, const ConnectionInfo &info);
    void onConnectionState(bool connected, const QString &message);
    void onFailed(quint64 token, const StoreError &error);
    // Every pane says whether the server can be reached; the bar offers a retry (and, for the
    // embedded server, a restart).
    void setOffline(bool offline, const QString &reason);
    QString connectionTooltip() const;
    void onStats(quint64 token, const StoreStats &stats);
    void onReplication(quint64 token, const ReplicationStatus &status);
    void onLiveEvents(const QList<RecordedEvent> &events);
    void onStreamSelected(const StreamInfo &info);
    void onAppended(const AppendResult &result, const QString &stream);
    void updateActions();
    // The subscriptions are read every two seconds while their tab or the Live tab (which
    // marks their checkpoints) is shown.
    void updateSubscriptionRefresh();
    void pollStats();
    void askJump();
    // Erasing an event's data, after a confirmation that names it.
    void askToErase(const RecordedEvent &event);
    // The append dialog on the event's stream, filled in with its type, payload and metadata.
    void duplicateEvent(const RecordedEvent &event);
    // "Compare with Previous": the event of its stream before it with its type, then a
    // CompareDialog of the two.
    void onPreviousFound(quint64 token, const RecordedEvent &event, bool found,
                         const RecordedEvent &previous);
    void onErased(quint64 token, const EraseResult &result, const RecordedEvent &event);
    // Deleting or truncating a stream, after a dialog that names what goes.
    void askToDeleteStream(const StreamInfo &info);
    void askToTruncateStream(const StreamInfo &info);
    void editStreamMetadata(const StreamInfo &info);
    void onStreamChanged(quint64 token, const QString &stream, const QString &message);
    void onTimeFound(quint64 token, const QString &stream, const QDateTime &time, qint64 found);
    // The activity chart shows the current tab's events: the stream's or the whole store's.
    void updateActivityScope();
    // A notice in the status bar, cleared after `milliseconds` (never when 0).
    void notify(const QString &text, int milliseconds = 0);
    QString connectionText() const;

    Options m_options;
    std::unique_ptr<StoreWorker> m_worker;
    ConnectionInfo m_info;
    bool m_connected = false;
    bool m_lostConnection = false;
    quint64 m_connectToken = 0;
    quint64 m_statsToken = 0;
    quint64 m_replicationToken = 0;
    quint64 m_sampleToken = 0;
    quint64 m_compareToken = 0;
    qint64 m_head = 0;

    StreamsPane *m_streams = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QTabWidget *m_tabs = nullptr;
    StreamView *m_streamView = nullptr;
    ActivityChart *m_activity = nullptr;
    LiveView *m_liveView = nullptr;
    RelatedPane *m_related = nullptr;
    QDockWidget *m_relatedDock = nullptr;
    SubscriptionsPane *m_subscriptions = nullptr;

    QLabel *m_connectionLabel = nullptr;
    QLabel *m_noticeLabel = nullptr;
    QFrame *m_outage = nullptr;
    QLabel *m_outageLabel = nullptr;
    QPushButton *m_retryButton = nullptr;
    QPushButton *m_restartButton = nullptr;
    quint64 m_restartToken = 0;
    quint64 m_timeToken = 0; // a jump to a time waiting for its answer
    quint64 m_eraseToken = 0;
    quint64 m_streamChangeToken = 0;
    QTimer *m_noticeTimer = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    QLabel *m_roleLabel = nullptr;
    QLabel *m_headLabel = nullptr;
    QLabel *m_pendingLabel = nullptr;
    QTimer *m_statsTimer = nullptr;

    QAction *m_connectAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_appendAction = nullptr;
    QAction *m_sampleAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_jumpAction = nullptr;
    QAction *m_filterAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_importAction = nullptr;
    QPointer<AppendDialog> m_appendDialog;
    quint64 m_openAtToken = 0; // openStreamAt() waiting for the stream's length
    qint64 m_openAtVersion = 0;
};

} // namespace eventium::ui
