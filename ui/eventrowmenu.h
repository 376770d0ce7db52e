#pragma once

#include <eventium/types.h>

#include <QMenu>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class QTableView;

namespace eventium::ui {

// The context menu of an event row, in the Live table and in a stream's table: copy the
// event (as JSON), its id, stream, payload or position; open its stream at it (from Live) or
// show it in the Live tab (from a stream); filter the Live tab by its type. A right click
// opens it on the row clicked, the keyboard's menu key (or Shift+F10) on the current row;
// each entry has a mnemonic.
class EventRowMenu : public QObject
{
    Q_OBJECT
public:
    enum class Table { Live, Stream };
    using EventAt = std::function<std::optional<RecordedEvent>(int row)>;

    EventRowMenu(QTableView *table, Table kind, EventAt eventAt);

    // The menu open now (for tests), or null.
    QMenu *menu() const { return m_menu; }
    // Opens the menu on a row (or, when `row` is -1, on the current row).
    void openAt(int row);
    // Whether the store may be written: erasing an event's data is offered only then.
    void setWritable(bool writable) { m_writable = writable; }
    // The event marked for comparison (in either table): the menu of another event offers to
    // compare it with that one.
    void setMarked(const std::optional<RecordedEvent> &marked) { m_marked = marked; }

signals:
    void openStreamRequested(const QString &stream, qint64 version);
    void showInLiveRequested(qint64 position);
    void filterByTypeRequested(const QString &type);
    void eraseRequested(const eventium::RecordedEvent &event);
    void duplicateRequested(const eventium::RecordedEvent &event);
    void compareWithPreviousRequested(const eventium::RecordedEvent &event);
    void relatedRequested(const eventium::RecordedEvent &event);
    void markForComparisonRequested(const eventium::RecordedEvent &event);
    // Compare the marked event with this one (in the order given: before, after).
    void compareRequested(const eventium::RecordedEvent &before,
                          const eventium::RecordedEvent &after);
    void copied(const QString &what);

private:
    void copy(const QString &text, const QString &what);

    QTableView *m_table;
    Table m_kind;
    EventAt m_eventAt;
    QPointer<QMenu> m_menu;
    bool m_writable = false;
    std::optional<RecordedEvent> m_marked;
};

} // namespace eventium::ui
