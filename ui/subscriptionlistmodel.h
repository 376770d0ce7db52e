#pragma once

#include "storemetatypes.h"

#include <QAbstractTableModel>
#include <QList>

namespace eventium::ui {

// Where each subscription stands, one row each, as Subscription::list() last said: name,
// checkpoint, lag behind the head in events and in time, held by a runner or idle, owner,
// last checkpoint. A refresh with the same names updates the rows in place (the selection
// stays); other names reset the list.
class SubscriptionListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        PositionColumn,
        LagEventsColumn,
        LagTimeColumn,
        StateColumn,
        OwnerColumn,
        UpdatedColumn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSubscriptions(const QList<toolkit::SubscriptionStatus> &subscriptions);
    const QList<toolkit::SubscriptionStatus> &subscriptions() const { return m_rows; }
    const toolkit::SubscriptionStatus &subscriptionAt(int row) const { return m_rows.at(row); }
    // -1 when none has this name.
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // "0 s", "4.2 s", "3 min 12 s", "2 h 5 min", "3 d 4 h".
    static QString lagText(std::chrono::milliseconds lag);

private:
    QList<toolkit::SubscriptionStatus> m_rows;
};

} // namespace eventium::ui
