#pragma once

#include "storeworker.h"

#include <eventium/cancellation.h>
#include <eventium/types.h>

#include <QJsonValue>
#include <QWidget>

#include <optional>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace eventium::ui {

class JsonPane;

// The "State" page of a stream's event: the state after the event's version as its stream's
// category's projection (toolkit::ProjectionRegistry) folds it, what the event changed (a
// structural diff of the states before and after it) and a stepper to the previous and next
// versions (Alt+Left, Alt+Right). The fold runs in the StoreWorker, a page of events at a
// time, with progress and a Cancel button; choosing another event cancels it. Going on to a
// later version of the same stream folds only the events after the state shown, and an
// earlier one starts from the worker's nearest checkpoint (the state after every page of the
// last fold). It folds only while it is visible. A stream whose category has no projection says so.
class StateView : public QWidget
{
    Q_OBJECT
public:
    explicit StateView(StoreWorker *worker, QWidget *parent = nullptr);
    ~StateView() override;

    // The event whose state to show; nullopt shows nothing.
    void setEvent(const std::optional<RecordedEvent> &event);
    // The state after `version` of `stream` (what setEvent does with an event's).
    void showVersion(const QString &stream, qint64 version);
    // The stream's last version, for the Next button.
    void setStreamVersion(qint64 version);

    QString stream() const { return m_stream; }
    qint64 version() const { return m_version; }
    // The version whose state is shown (0: none yet).
    qint64 shownVersion() const { return m_shownVersion; }
    bool isComputing() const { return m_token != 0; }

    QAction *previousAction() const { return m_previousAction; }
    QAction *nextAction() const { return m_nextAction; }
    QToolButton *previousButton() const { return m_previous; }
    QToolButton *nextButton() const { return m_next; }
    QLabel *versionLabel() const { return m_versionLabel; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *changesLabel() const { return m_changesLabel; }
    // "State after version N (from version M: K events folded)".
    QLabel *stateLabel() const { return m_stateLabel; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }
    JsonPane *statePane() const { return m_state; }
    QTreeWidget *changes() const { return m_changes; }

    static constexpr int kMaxRows = 2000;
    enum Column { PathColumn, ChangeColumn, BeforeColumn, AfterColumn };

signals:
    // The stepper asks for another version of the stream (the stream's table selects it).
    void stepRequested(qint64 version);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void compute();
    void cancelRunning();
    void onProgress(quint64 token, qint64 reached);
    void setProgressText(qint64 reached);
    void onReady(quint64 token, const StateResult &result);
    void onFailed(quint64 token, const StoreError &error);
    void showMessage(const QString &text);
    void clearResult();
    void updateStepper();

    StoreWorker *m_worker;
    QString m_stream;
    qint64 m_version = 0;
    qint64 m_streamVersion = 0;
    bool m_pending = false; // asked for while hidden: computed when shown
    quint64 m_token = 0;
    Cancellation m_cancellation = Cancellation::none();
    qint64 m_from = 0; // the version the running fold starts after
    qint64 m_shownVersion = 0;
    // The last state computed, to go on from when a later version of its stream is asked for.
    QString m_haveStream;
    qint64 m_haveVersion = 0;
    QJsonValue m_haveState;

    QAction *m_previousAction;
    QAction *m_nextAction;
    QToolButton *m_previous;
    QToolButton *m_next;
    QLabel *m_versionLabel;
    QLabel *m_projectionLabel;
    QLabel *m_message;
    QWidget *m_progressRow;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QWidget *m_body;
    JsonPane *m_state;
    QLabel *m_stateLabel;
    QLabel *m_changesLabel;
    QTreeWidget *m_changes;
};

} // namespace eventium::ui
