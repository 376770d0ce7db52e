#include "subscriptionspane.h"

#include "eventtableview.h"
#include "movecheckpointdialog.h"
#include "rowmenutrigger.h"
#include "storeworker.h"
#include "subscriptionlistmodel.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace eventium::ui {

namespace {

constexpr int kRefreshMs = 2000;

} // namespace

SubscriptionsPane::SubscriptionsPane(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
    , m_worker(worker)
{
    setObjectName(QStringLiteral("subscriptionsPane"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    auto *top = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("subscriptionsSummary"));
    top->addWidget(m_summary, 1);
    m_moveButton = new QPushButton(tr("&Move Checkpoint…"), this);
    m_moveButton->setObjectName(QStringLiteral("moveCheckpoint"));
    connect(m_moveButton, &QPushButton::clicked, this, [this] { moveCheckpoint(-1); });
    top->addWidget(m_moveButton);
    layout->addLayout(top);

    m_model = new SubscriptionListModel(this);
    auto *table = new EventTableView(this);
    table->setObjectName(QStringLiteral("subscriptions"));
    table->setModel(m_model);
    table->setTextElideMode(Qt::ElideRight);
    table->setColumnWidthsInChars({0, 12, 12, 12, 7, 22, 13}, SubscriptionListModel::NameColumn);
    m_table = table;
    layout->addWidget(table, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("subscriptionsStatus"));
    m_status->setContentsMargins(2, 0, 0, 0);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_timer = new QTimer(this);
    m_timer->setInterval(kRefreshMs);
    connect(m_timer, &QTimer::timeout, this, &SubscriptionsPane::refresh);
    connect(m_worker, &StoreWorker::subscriptionsListed, this, &SubscriptionsPane::onListed);
    connect(m_worker, &StoreWorker::checkpointMoved, this, &SubscriptionsPane::onMoved);
    connect(m_worker, &StoreWorker::failed, this, &SubscriptionsPane::onFailed);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SubscriptionsPane::updateActions);
    connect(m_table, &QTableView::activated, this,
            [this](const QModelIndex &index) { moveCheckpoint(index.row()); });
    onRowMenuRequest(m_table, [this](int row) { openRowMenu(row); });
    updateActions();
    updateStatus();
}

void SubscriptionsPane::setConnected(bool connected)
{
    m_connected = connected;
    if (!connected)
        m_listToken = 0;
    updateActions();
    updateStatus();
}

void SubscriptionsPane::setOffline(bool offline)
{
    m_offline = offline;
    updateStatus();
}

void SubscriptionsPane::setWritable(bool writable, const QString &reason)
{
    m_writable = writable;
    m_readOnlyReason = reason;
    updateActions();
}

void SubscriptionsPane::setActive(bool active)
{
    if (active == m_timer->isActive())
        return;
    if (active) {
        m_timer->start();
        refresh();
    } else {
        m_timer->stop();
    }
}

bool SubscriptionsPane::isActive() const
{
    return m_timer->isActive();
}

void SubscriptionsPane::refresh()
{
    if (!m_connected || m_listToken != 0)
        return;
    m_listToken = m_worker->listSubscriptions();
}

void SubscriptionsPane::clear()
{
    m_listToken = 0;
    m_moveToken = 0;
    m_error.clear();
    m_listedAt = {};
    m_model->setSubscriptions({});
    emit subscriptionsChanged({});
    updateActions();
    updateStatus();
}

void SubscriptionsPane::onListed(quint64 token,
                                 const QList<toolkit::SubscriptionStatus> &subscriptions)
{
    if (token != m_listToken)
        return;
    m_listToken = 0;
    ++m_refreshes;
    m_error.clear();
    m_listedAt = QDateTime::currentDateTime();
    const QModelIndex current = m_table->currentIndex();
    const QString selected = current.isValid() && current.row() < m_model->rowCount()
        ? m_model->subscriptionAt(current.row()).name
        : QString();
    m_model->setSubscriptions(subscriptions);
    if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0) {
        const int row = m_model->rowOf(selected);
        m_table->selectRow(qMax(row, 0));
    }
    emit subscriptionsChanged(subscriptions);
    updateActions();
    updateStatus();
}

void SubscriptionsPane::onFailed(quint64 token, const StoreError &error)
{
    if (token != 0 && token == m_listToken) {
        m_listToken = 0;
        m_error = error.toString();
        updateStatus();
        return;
    }
    if (token != 0 && token == m_moveToken) {
        m_moveToken = 0;
        updateActions();
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Move Checkpoint"),
                                    tr("The checkpoint was not moved:\n%1").arg(error.toString()),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("moveFailed"));
        showBox(box);
    }
}

void SubscriptionsPane::updateActions()
{
    const bool rowSelected = m_table->currentIndex().isValid();
    const bool canMove = m_connected && m_writable && rowSelected && m_moveToken == 0;
    m_moveButton->setEnabled(canMove);
    if (!m_writable && m_connected)
        m_moveButton->setToolTip(tr("Read-only: %1").arg(m_readOnlyReason));
    else if (!rowSelected)
        m_moveButton->setToolTip(tr("Select a subscription to move its checkpoint"));
    else
        m_moveButton->setToolTip(
            tr("Move the selected subscription's checkpoint back (replay) or forward (skip)"));
}

void SubscriptionsPane::updateStatus()
{
    const QList<toolkit::SubscriptionStatus> &rows = m_model->subscriptions();
    const int held = int(std::count_if(
        rows.cbegin(), rows.cend(), [](const toolkit::SubscriptionStatus &s) { return s.held; }));
    const QLocale locale;
    if (rows.isEmpty())
        m_summary->setText(m_listedAt.isValid() ? tr("No subscriptions yet") : QString());
    else
        m_summary->setText(tr("%1 · %2 held by a runner · head %3")
                               .arg(rows.size() == 1 ? tr("1 subscription")
                                                     : tr("%1 subscriptions").arg(rows.size()))
                               .arg(held)
                               .arg(locale.toString(rows.first().head.value)));
    QString text;
    if (!m_error.isEmpty())
        text = tr("Could not read the subscriptions: %1").arg(m_error);
    else if (m_listedAt.isValid())
        text = tr("Updated %1; every %2 s while shown")
                   .arg(m_listedAt.toString(QStringLiteral("HH:mm:ss")))
                   .arg(kRefreshMs / 1000);
    else if (!m_connected)
        text = tr("Not connected");
    if (m_offline)
        text += tr(" · server unreachable");
    m_status->setText(text);
    m_status->setStyleSheet(m_offline || !m_error.isEmpty() ? QStringLiteral("color: #c62828;")
                                                            : QString());
}

void SubscriptionsPane::showBox(QMessageBox *box)
{
    if (m_box)
        m_box->close();
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_box = box;
    box->open();
}

void SubscriptionsPane::refuseHeld(const QString &name, const QString &owner)
{
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Move Checkpoint"),
        tr("“%1” is held by a running runner%2, so its checkpoint cannot be moved now: the "
           "runner would not notice.\n\nStop the runner, then move the checkpoint.")
            .arg(name, owner.isEmpty() ? QString() : tr(" (%1)").arg(owner)),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("moveRefused"));
    showBox(box);
}

void SubscriptionsPane::moveCheckpoint(int row)
{
    if (row < 0)
        row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount() || !m_connected || !m_writable || m_moveToken != 0)
        return;
    const toolkit::SubscriptionStatus st = m_model->subscriptionAt(row);
    if (st.held)
        return refuseHeld(st.name, st.owner);
    auto *dialog = new MoveCheckpointDialog(st, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog, st] { confirmMove(st, dialog->target(), dialog->effect()); });
    dialog->open();
}

void SubscriptionsPane::confirmMove(const toolkit::SubscriptionStatus &subscription,
                                    GlobalPosition to, const QString &effect)
{
    const QLocale locale;
    const QString target = to == GlobalPosition::end()
        ? tr("the head (%1)").arg(locale.toString(subscription.head.value))
        : locale.toString(to.value);
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Move Checkpoint"),
        tr("Move the checkpoint of “%1” from %2 to %3?\n\n%4\nA runner that starts meanwhile "
           "waits until the move is done, then goes on from there.")
            .arg(subscription.name, locale.toString(subscription.checkpoint.value), target, effect),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmMove"));
    QPushButton *move = box->addButton(tr("&Move Checkpoint"), QMessageBox::DestructiveRole);
    move->setObjectName(QStringLiteral("confirm"));
    box->setDefaultButton(QMessageBox::Cancel);
    const QString name = subscription.name;
    connect(move, &QPushButton::clicked, this, [this, name, to] { requestMove(name, to); });
    showBox(box);
}

void SubscriptionsPane::requestMove(const QString &name, GlobalPosition to)
{
    if (!m_connected || !m_writable || m_moveToken != 0)
        return;
    m_moveToken = m_worker->moveCheckpoint(name, to);
    updateActions();
}

void SubscriptionsPane::onMoved(quint64 token, const QString &name,
                                const toolkit::CheckpointMove &move)
{
    if (token != m_moveToken)
        return;
    m_moveToken = 0;
    updateActions();
    const QLocale locale;
    switch (move.status) {
    case toolkit::CheckpointMove::Status::Moved:
        emit notice(
            tr("Moved the checkpoint of %1 from %2 to %3")
                .arg(name, locale.toString(move.from.value), locale.toString(move.to.value)));
        m_listToken = 0; // the answer to a read sent before the move is stale
        refresh();
        return;
    case toolkit::CheckpointMove::Status::Held: {
        const int row = m_model->rowOf(name);
        refuseHeld(name, row >= 0 ? m_model->subscriptionAt(row).owner : QString());
        m_listToken = 0;
        refresh();
        return;
    }
    case toolkit::CheckpointMove::Status::NotFound: {
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Move Checkpoint"),
                                    tr("There is no subscription “%1” any more.").arg(name),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("moveFailed"));
        showBox(box);
        m_listToken = 0;
        refresh();
        return;
    }
    case toolkit::CheckpointMove::Status::BeyondHead: {
        auto *box = new QMessageBox(
            QMessageBox::Warning, tr("Move Checkpoint"),
            tr("Position %1 is past the head (%2): nothing was moved.")
                .arg(locale.toString(move.to.value), locale.toString(move.head.value)),
            QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("moveFailed"));
        showBox(box);
        return;
    }
    }
}

void SubscriptionsPane::openRowMenu(int row)
{
    if (row < 0)
        row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount())
        return;
    if (row != m_table->currentIndex().row())
        m_table->selectRow(row);
    const toolkit::SubscriptionStatus st = m_model->subscriptionAt(row);
    if (m_menu)
        m_menu->close();
    m_menu = new QMenu(m_table);
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *move
        = m_menu->addAction(tr("&Move Checkpoint…"), this, [this, row] { moveCheckpoint(row); });
    move->setEnabled(m_connected && m_writable && m_moveToken == 0);
    if (!m_writable)
        move->setToolTip(tr("Read-only: %1").arg(m_readOnlyReason));
    QAction *show = m_menu->addAction(tr("Show Checkpoint in &Live"), this, [this, st] {
        emit showPositionRequested(st.checkpoint.value);
    });
    show->setEnabled(st.checkpoint.value > 0);
    m_menu->addSeparator();
    m_menu->addAction(tr("Copy Subscription &Name"), this, [this, name = st.name] {
        QApplication::clipboard()->setText(name);
        emit notice(tr("Copied the subscription name %1").arg(name));
    });
    const QRect rect = m_table->visualRect(m_model->index(row, 0));
    m_menu->popup(m_table->viewport()->mapToGlobal(QPoint(rect.left() + 24, rect.bottom())));
}

} // namespace eventium::ui
