#include "subscriptionlistmodel.h"

#include "eventcells.h"
#include "jsonformatter.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace eventium::ui {

namespace {

bool isNumber(int column)
{
    return column == SubscriptionListModel::PositionColumn
        || column == SubscriptionListModel::LagEventsColumn
        || column == SubscriptionListModel::LagTimeColumn;
}

} // namespace

void SubscriptionListModel::setSubscriptions(
    const QList<toolkit::SubscriptionStatus> &subscriptions)
{
    bool sameNames = subscriptions.size() == m_rows.size();
    for (int i = 0; sameNames && i < m_rows.size(); ++i)
        sameNames = subscriptions.at(i).name == m_rows.at(i).name;
    if (!sameNames) {
        beginResetModel();
        m_rows = subscriptions;
        endResetModel();
        return;
    }
    m_rows = subscriptions;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

int SubscriptionListModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).name == name)
            return i;
    }
    return -1;
}

int SubscriptionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SubscriptionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SubscriptionListModel::lagText(std::chrono::milliseconds lag)
{
    const qint64 ms = lag.count();
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', s < 10 ? 1 : 0));
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    if (s < 86400)
        return tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
    return tr("%1 d %2 h").arg(QLocale().toString(s / 86400)).arg(s % 86400 / 3600);
}

QVariant SubscriptionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const toolkit::SubscriptionStatus &st = m_rows.at(index.row());
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return st.name;
        case PositionColumn:
            return locale.toString(st.checkpoint.value);
        case LagEventsColumn:
            return locale.toString(st.lagEvents);
        case LagTimeColumn:
            return lagText(st.lagTime);
        case StateColumn:
            return st.held ? tr("held") : tr("idle");
        case OwnerColumn:
            return st.owner;
        case UpdatedColumn:
            return tableTime(st.updated);
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StateColumn)
            return st.held ? QColor(0x2e, 0x7d, 0x32)
                           : QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        if ((index.column() == LagEventsColumn || index.column() == LagTimeColumn)
            && st.lagEvents == 0)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (index.column() == StateColumn && st.held) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        return isNumber(index.column()) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                                        : QVariant();
    case Qt::ToolTipRole: {
        QString text = tr("%1 has handled up to position %2 of %3 (%4 behind; the oldest event "
                          "it has not handled is %5 old)")
                           .arg(st.name, locale.toString(st.checkpoint.value),
                                locale.toString(st.head.value), locale.toString(st.lagEvents),
                                lagText(st.lagTime));
        text += QLatin1Char('\n')
            + (st.held ? tr("A runner holds it now (last taken by %1)").arg(st.owner)
                       : tr("No runner holds it now")
                       + (st.owner.isEmpty() ? QString() : tr(" (last run by %1)").arg(st.owner)));
        text += QLatin1Char('\n')
            + tr("%1 events handled · last checkpoint %2")
                  .arg(locale.toString(st.handled), JsonFormatter::displayTime(st.updated));
        return text;
    }
    default:
        return {};
    }
}

QVariant SubscriptionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::TextAlignmentRole)
        return isNumber(section) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Subscription");
    case PositionColumn:
        return tr("Checkpoint");
    case LagEventsColumn:
        return tr("Lag (events)");
    case LagTimeColumn:
        return tr("Lag (time)");
    case StateColumn:
        return tr("Runner");
    case OwnerColumn:
        return tr("Owner");
    case UpdatedColumn:
        return tr("Last checkpoint");
    }
    return {};
}

} // namespace eventium::ui
