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
    // Column widths in characters of the current font (0: left as it is). `stretch` is the
    // column that takes whatever width is left, so the others always fit the view (none:
    // the last column stretches, and a narrow view scrolls sideways).
    void setColumnWidthsInChars(const QList<int> &chars, int stretch = -1);

protected:
    // Home and End (with or without Ctrl) go to the first and the last row: rows are what
    // these tables are about, and sideways there is nothing to go to.
    QModelIndex moveCursor(CursorAction action, Qt::KeyboardModifiers modifiers) override;
};

} // namespace eventium::ui
