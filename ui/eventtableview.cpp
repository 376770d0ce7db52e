#include "eventtableview.h"

#include <QHeaderView>
#include <QScrollBar>

namespace eventium::ui {

EventTableView::EventTableView(QWidget *parent)
    : QTableView(parent)
{
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAlternatingRowColors(true);
    setShowGrid(false);
    setWordWrap(false);
    setTextElideMode(Qt::ElideMiddle);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
}

QModelIndex EventTableView::moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers)
{
    if ((action == MoveHome || action == MoveEnd) && model() && model()->rowCount() > 0) {
        const int column = qMax(0, currentIndex().column());
        return model()->index(action == MoveHome ? 0 : model()->rowCount() - 1, column);
    }
    return QTableView::moveCursor(action, modifiers);
}

bool EventTableView::isAtBottom() const
{
    const QScrollBar *bar = verticalScrollBar();
    return bar->value() >= bar->maximum();
}

void EventTableView::setColumnWidthsInChars(const QList<int> &chars, int stretch)
{
    if (stretch >= 0) {
        horizontalHeader()->setStretchLastSection(false);
        horizontalHeader()->setSectionResizeMode(stretch, QHeaderView::Stretch);
    }
    const int unit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    for (int i = 0; i < chars.size(); ++i) {
        if (chars.at(i) > 0)
            setColumnWidth(i, chars.at(i) * unit + 16);
    }
}

} // namespace eventium::ui
