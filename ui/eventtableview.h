#pragma once

#include <QTableView>

namespace eventium::ui {

// A table tuned for long, lazily loaded event lists: fixed row heights, no per-row sizing,
// no vertical header, row selection, alternate row colours.
class EventTableView : public QTableView
{
    Q_OBJECT
public:
    explicit EventTableView(QWidget *parent = nullptr);

    bool isAtBottom() const;
    // Column widths in characters of the current font; 0 stretches the last column.
    void setColumnWidthsInChars(const QList<int> &chars);

protected:
    // Home and End (with or without Ctrl) go to the first and the last row: rows are what
    // these tables are about, and sideways there is nothing to go to.
    QModelIndex moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers) override;
};

} // namespace eventium::ui
