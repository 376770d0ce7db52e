#pragma once

#include "storemetatypes.h"

#include <QDateTime>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;
class QTimer;

namespace eventium::ui {

class StoreWorker;
class SubscriptionListModel;

// The "Subscriptions" tab: where each durable subscription stands (checkpoint, lag behind the
// head in events and in time, held by a runner or idle, owner, last checkpoint), read by the
// store worker every two seconds while active, and "Move Checkpoint…" (a dialog, then a
// confirmation), refused with a message while a runner holds the subscription. Read-only
// connections list but do not move.
class SubscriptionsPane : public QWidget
{
    Q_OBJECT
public:
    explicit SubscriptionsPane(StoreWorker *worker, QWidget *parent = nullptr);

    void setConnected(bool connected);
    // The connection was lost: the list stays, its status line says it may be stale.
    void setOffline(bool offline);
    // Whether this connection may move checkpoints; `reason` says why not.
    void setWritable(bool writable, const QString &reason = {});
    // Refreshes every two seconds while active (the tab, or the Live tab's markers, is shown).
    void setActive(bool active);
    bool isActive() const;
    // Reads the list now (unless a read is on its way).
    void refresh();
    void clear();

    // Opens the move dialog for a row (-1: the current row). A held subscription is refused
    // at once, with a message that says why.
    void moveCheckpoint(int row = -1);
    // Moves without asking (after the dialog and the confirmation).
    void requestMove(const QString &name, GlobalPosition to);
    void openRowMenu(int row);

    SubscriptionListModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPushButton *moveButton() const { return m_moveButton; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *statusLabel() const { return m_status; }
    QMenu *rowMenu() const { return m_menu; }
    // The message box shown last (a refusal, a confirmation), while it is open.
    QMessageBox *messageBox() const { return m_box; }
    // Lists received so far (for tests).
    int refreshes() const { return m_refreshes; }

signals:
    // Every list read: the Live tab marks where each subscription stands.
    void subscriptionsChanged(const QList<eventium::toolkit::SubscriptionStatus> &subscriptions);
    void showPositionRequested(qint64 position);
    void notice(const QString &message);

private:
    void onListed(quint64 token, const QList<toolkit::SubscriptionStatus> &subscriptions);
    void onMoved(quint64 token, const QString &name, const toolkit::CheckpointMove &move);
    void onFailed(quint64 token, const StoreError &error);
    void confirmMove(const toolkit::SubscriptionStatus &subscription, GlobalPosition to,
                     const QString &effect);
    void refuseHeld(const QString &name, const QString &owner);
    void showBox(QMessageBox *box);
    void updateActions();
    void updateStatus();

    StoreWorker *m_worker;
    SubscriptionListModel *m_model;
    QTableView *m_table;
    QLabel *m_summary;
    QLabel *m_status;
    QPushButton *m_moveButton;
    QTimer *m_timer;
    QPointer<QMenu> m_menu;
    QPointer<QMessageBox> m_box;
    quint64 m_listToken = 0;
    quint64 m_moveToken = 0;
    bool m_connected = false;
    bool m_offline = false;
    bool m_writable = false;
    QString m_readOnlyReason;
    QString m_error; // why the last read failed; empty when it did not
    QDateTime m_listedAt;
    int m_refreshes = 0;
};

} // namespace eventium::ui
