#include "eventrowmenu.h"

#include "jsonformatter.h"
#include "rowmenutrigger.h"

#include <QApplication>
#include <QClipboard>
#include <QMenu>
#include <QTableView>

namespace eventium::ui {

EventRowMenu::EventRowMenu(QTableView *table, Table kind, EventAt eventAt)
    : QObject(table)
    , m_table(table)
    , m_kind(kind)
    , m_eventAt(std::move(eventAt))
{
    onRowMenuRequest(table, [this](int row) { openAt(row); });
}

void EventRowMenu::openAt(int row)
{
    if (row < 0)
        row = m_table->currentIndex().row();
    if (row < 0)
        return;
    if (row != m_table->currentIndex().row())
        m_table->selectRow(row);
    const std::optional<RecordedEvent> event = m_eventAt(row);
    if (!event)
        return; // still loading: nothing to act on yet

    if (m_menu)
        m_menu->close();
    m_menu = new QMenu(m_table);
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    const RecordedEvent e = *event;
    const QString label = QStringLiteral("%1 #%2").arg(e.stream).arg(e.version.value);
    m_menu->addAction(tr("Copy as &JSON"), this, [this, e, label] {
        copy(JsonFormatter::eventAsJson(e), tr("Copied %1 as JSON").arg(label));
    });
    m_menu->addAction(tr("Copy Event &ID"), this, [this, e] {
        const QString id = e.id.toString(QUuid::WithoutBraces);
        copy(id, tr("Copied the event id %1").arg(id));
    });
    m_menu->addAction(tr("Copy &Stream Name"), this,
                      [this, e] { copy(e.stream, tr("Copied the stream name %1").arg(e.stream)); });
    m_menu->addAction(tr("Copy &Payload"), this, [this, e, label] {
        copy(QString::fromUtf8(e.data), tr("Copied the payload of %1").arg(label));
    });
    QAction *position = m_menu->addAction(tr("Copy P&osition"), this, [this, e] {
        copy(QString::number(e.position.value), tr("Copied the position %1").arg(e.position.value));
    });
    position->setEnabled(e.position.value > 0);
    m_menu->addSeparator();
    if (m_kind == Table::Live) {
        m_menu->addAction(tr("Open S&tream at This Event"), this,
                          [this, e] { emit openStreamRequested(e.stream, e.version.value); });
    } else {
        QAction *live = m_menu->addAction(
            tr("Show in &Live"), this, [this, e] { emit showInLiveRequested(e.position.value); });
        live->setEnabled(e.position.value > 0);
    }
    m_menu->addAction(tr("&Filter Live by Type “%1”").arg(e.type), this,
                      [this, e] { emit filterByTypeRequested(e.type); });
    m_menu->addAction(tr("&Compare with Previous “%1”").arg(e.type), this,
                      [this, e] { emit compareWithPreviousRequested(e); });
    if (m_marked && m_marked->id != e.id) {
        // The earlier of the two (in the global order, or by time while not numbered) is
        // "before".
        const RecordedEvent marked = *m_marked;
        const bool markedFirst = marked.position.value > 0 && e.position.value > 0
            ? marked.position < e.position
            : marked.created <= e.created;
        m_menu->addAction(tr("Compare with &Marked “%1” (%2 #%3)")
                              .arg(marked.type, marked.stream)
                              .arg(marked.version.value),
                          this, [this, e, marked, markedFirst] {
                              if (markedFirst)
                                  emit compareRequested(marked, e);
                              else
                                  emit compareRequested(e, marked);
                          });
    }
    QAction *mark = m_menu->addAction(tr("Mar&k for Comparison"), this,
                                      [this, e] { emit markForComparisonRequested(e); });
    mark->setToolTip(tr("Then choose “Compare with Marked” on another event, in any stream"));
    m_menu->addAction(tr("Show &Related Events"), this, [this, e] { emit relatedRequested(e); });
    m_menu->addSeparator();
    QAction *duplicate = m_menu->addAction(tr("&Duplicate into Append Dialog…"), this,
                                           [this, e] { emit duplicateRequested(e); });
    duplicate->setEnabled(m_writable && !e.isErased());
    duplicate->setToolTip(e.isErased() ? tr("Its data was erased")
                                       : tr("Its type, payload and metadata, ready to edit "
                                            "and append with a new id"));
    QAction *erase
        = m_menu->addAction(tr("&Erase Event Data…"), this, [this, e] { emit eraseRequested(e); });
    erase->setEnabled(m_writable && !e.isErased());
    erase->setToolTip(e.isErased() ? tr("Erased already") : tr("Replace its payload and metadata"));
    const QRect rect = m_table->visualRect(m_table->model()->index(row, 0));
    m_menu->popup(m_table->viewport()->mapToGlobal(QPoint(rect.left() + 24, rect.bottom())));
}

void EventRowMenu::copy(const QString &text, const QString &what)
{
    QApplication::clipboard()->setText(text);
    emit copied(what);
}

} // namespace eventium::ui
