#include "rowmenutrigger.h"

#include <QContextMenuEvent>
#include <QShortcut>
#include <QTableView>

namespace eventium::ui {

namespace {

class RowMenuTrigger : public QObject
{
public:
    RowMenuTrigger(QTableView *table, std::function<void(int)> open)
        : QObject(table)
        , m_table(table)
        , m_open(std::move(open))
    {
        table->installEventFilter(this);
        table->viewport()->installEventFilter(this);
        auto *shiftF10 = new QShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F10), table);
        shiftF10->setContext(Qt::WidgetShortcut);
        QObject::connect(shiftF10, &QShortcut::activated, this, [this] { m_open(-1); });
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::ContextMenu)
            return QObject::eventFilter(watched, event);
        auto *menuEvent = static_cast<QContextMenuEvent *>(event);
        if (menuEvent->reason() != QContextMenuEvent::Mouse) {
            m_open(-1);
            return true;
        }
        const QPoint at = watched == m_table->viewport()
            ? menuEvent->pos()
            : m_table->viewport()->mapFrom(m_table, menuEvent->pos());
        if (const int row = m_table->rowAt(at.y()); row >= 0)
            m_open(row);
        return true;
    }

private:
    QTableView *m_table;
    std::function<void(int)> m_open;
};

} // namespace

void onRowMenuRequest(QTableView *table, std::function<void(int row)> open)
{
    new RowMenuTrigger(table, std::move(open));
}

} // namespace eventium::ui
