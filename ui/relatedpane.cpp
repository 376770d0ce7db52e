#include "relatedpane.h"

#include "jsonformatter.h"
#include "storeworker.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QShortcut>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

enum Column { TypeColumn, StreamColumn, VersionColumn, PositionColumn, TimeColumn };
constexpr int kEventRole = Qt::UserRole + 1;

QTreeWidget *makeList(QWidget *parent, const QString &name, bool tree)
{
    auto *list = new QTreeWidget(parent);
    list->setObjectName(name);
    list->setHeaderLabels({QObject::tr("Type"), QObject::tr("Stream"), QObject::tr("Version"),
                           QObject::tr("Position"), QObject::tr("Time")});
    list->setRootIsDecorated(tree);
    list->setUniformRowHeights(true);
    list->setAlternatingRowColors(true);
    list->setSelectionMode(QAbstractItemView::SingleSelection);
    list->setContextMenuPolicy(Qt::CustomContextMenu);
    list->header()->setStretchLastSection(true);
    list->header()->setSectionResizeMode(QHeaderView::Interactive);
    list->setColumnWidth(TypeColumn, tree ? 250 : 200);
    list->setColumnWidth(StreamColumn, 210);
    list->setColumnWidth(VersionColumn, 70);
    list->setColumnWidth(PositionColumn, 90);
    return list;
}

QTreeWidgetItem *makeItem(const RecordedEvent &e)
{
    auto *item = new QTreeWidgetItem;
    item->setText(TypeColumn, e.type);
    item->setText(StreamColumn, e.stream);
    item->setText(VersionColumn, QString::number(e.version.value));
    item->setText(PositionColumn,
                  e.position.value > 0 ? QString::number(e.position.value)
                                       : QObject::tr("pending"));
    item->setText(TimeColumn, JsonFormatter::displayTime(e.created));
    item->setTextAlignment(VersionColumn, Qt::AlignRight | Qt::AlignVCenter);
    item->setTextAlignment(PositionColumn, Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(TypeColumn,
                     QObject::tr("%1 #%2 · %3\nEnter or double click: open its stream "
                                 "at this event")
                         .arg(e.stream)
                         .arg(e.version.value)
                         .arg(e.id.toString(QUuid::WithoutBraces)));
    item->setData(TypeColumn, kEventRole, QVariant::fromValue(e));
    return item;
}

void markSubject(QTreeWidgetItem *item)
{
    for (int c = 0; c < item->columnCount(); ++c) {
        QFont f = item->font(c);
        f.setBold(true);
        item->setFont(c, f);
    }
    item->setText(TypeColumn, QObject::tr("%1  ◀ this event").arg(item->text(TypeColumn)));
}

QString events(qsizetype n)
{
    return n == 1 ? QObject::tr("1 event") : QObject::tr("%1 events").arg(QLocale().toString(n));
}

} // namespace

RelatedPane::RelatedPane(StoreWorker *worker, QWidget *parent)
    : QWidget(parent)
    , m_worker(worker)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter);

    auto section = [&](QLabel *&label, QTreeWidget *&list, const QString &name, bool tree) {
        auto *box = new QWidget(splitter);
        auto *v = new QVBoxLayout(box);
        v->setContentsMargins(0, 0, 0, 0);
        label = new QLabel(box);
        label->setObjectName(name + QStringLiteral("Label"));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        list = makeList(box, name, tree);
        v->addWidget(label);
        v->addWidget(list, 1);
        connect(list, &QTreeWidget::itemActivated, this, &RelatedPane::activate);
        connect(list, &QTreeWidget::customContextMenuRequested, this,
                [this, list](const QPoint &pos) { openMenu(list, pos); });
        auto *menuKey = new QShortcut(QKeySequence(tr("Shift+F10")), list);
        menuKey->setContext(Qt::WidgetShortcut);
        connect(menuKey, &QShortcut::activated, this, [this, list] {
            QTreeWidgetItem *item = list->currentItem();
            openMenu(list, item ? list->visualItemRect(item).bottomLeft() : QPoint());
        });
        splitter->addWidget(box);
    };
    section(m_correlationLabel, m_correlated, QStringLiteral("correlated"), false);
    section(m_causationLabel, m_causation, QStringLiteral("causation"), true);

    connect(m_worker, &StoreWorker::relatedFound, this, &RelatedPane::onRelated);
    connect(m_worker, &StoreWorker::failed, this, &RelatedPane::onFailed);
    // What could not be read while the server was away is read again when it is back.
    connect(m_worker, &StoreWorker::connectionStateChanged, this, [this](bool connected) {
        if (connected && m_event && m_token == 0 && m_shown != m_event->id && isVisible())
            reload();
    });
    setEvent(std::nullopt);
}

void RelatedPane::setEvent(const std::optional<RecordedEvent> &event)
{
    const bool same = event && m_event && event->id == m_event->id;
    m_event = event;
    if (same && (m_token != 0 || m_shown == event->id))
        return;
    m_token = 0;
    if (!m_event) {
        clearLists();
        m_shown = QUuid();
        m_correlationLabel->setText(tr("Select an event to see the events of its process."));
        m_causationLabel->setText(tr("Select an event to see its causes and effects."));
        return;
    }
    if (isVisible())
        reload();
}

void RelatedPane::reload()
{
    if (!m_event)
        return;
    m_correlationLabel->setText(tr("Loading the events related to %1 #%2…")
                                    .arg(m_event->stream)
                                    .arg(m_event->version.value));
    m_causationLabel->setText(QString());
    m_token = m_worker->related(m_event->id, kLimit);
}

void RelatedPane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_event && m_token == 0 && m_shown != m_event->id)
        reload();
}

void RelatedPane::clearLists()
{
    m_correlated->clear();
    m_causation->clear();
}

void RelatedPane::onRelated(quint64 token, const QUuid &eventId, bool found,
                            const RelatedEvents &related)
{
    if (token != m_token)
        return;
    m_token = 0;
    m_shown = eventId;
    clearLists();
    const QLocale locale;
    if (!found) {
        m_correlationLabel->setText(tr("This event is no longer there (its stream was deleted "
                                       "or truncated)."));
        return;
    }

    if (related.correlationId.isEmpty()) {
        m_correlationLabel->setText(
            tr("No correlation id: its metadata has no \"correlationId\" (or "
               "\"$correlationId\"), so no process to show."));
    } else {
        QString text = tr("Process %1: %2 with this correlation id, in global order")
                           .arg(JsonFormatter::quote(related.correlationId),
                                events(related.correlated.size()));
        if (related.moreCorrelated)
            text += tr(" (the first %1 written; there are more)").arg(locale.toString(kLimit));
        m_correlationLabel->setText(text);
        QList<QTreeWidgetItem *> items;
        for (const RecordedEvent &e : related.correlated)
            items << makeItem(e);
        m_correlated->addTopLevelItems(items);
        if (QTreeWidgetItem *self = itemFor(*m_event); self && m_correlated == self->treeWidget()) {
            markSubject(self);
            m_correlated->setCurrentItem(self);
            m_correlated->scrollToItem(self);
        }
    }

    QHash<QUuid, QTreeWidgetItem *> byId;
    int depth = 0;
    for (const CausationNode &node : related.causation) {
        QTreeWidgetItem *item = makeItem(node.event);
        if (QTreeWidgetItem *parent = byId.value(node.parent); parent && !node.parent.isNull())
            parent->addChild(item);
        else
            m_causation->addTopLevelItem(item);
        byId.insert(node.event.id, item);
        depth = qMax(depth, node.depth);
        if (node.event.id == m_event->id) {
            markSubject(item);
            m_causation->setCurrentItem(item);
        }
    }
    m_causation->expandAll();
    if (QTreeWidgetItem *current = m_causation->currentItem())
        m_causation->scrollToItem(current);
    if (related.causation.size() <= 1) {
        m_causationLabel->setText(
            related.causationId.isEmpty()
                ? tr("Causes and effects: nothing names this event as its cause, and its "
                     "metadata names no \"causationId\".")
                : tr("Causes and effects: its cause %1 is not an event of this store, and "
                     "nothing names this event as its cause.")
                      .arg(JsonFormatter::quote(related.causationId)));
    } else {
        QString text = tr("Causes and effects: %1, %2 below the root")
                           .arg(events(related.causation.size()),
                                depth == 1 ? tr("1 level") : tr("%1 levels").arg(depth));
        if (related.moreCausation)
            text += tr(" (the %1 nearest the root; there are more)").arg(locale.toString(kLimit));
        m_causationLabel->setText(text);
    }
}

void RelatedPane::onFailed(quint64 token, const StoreError &error)
{
    if (token != m_token)
        return;
    m_token = 0;
    clearLists();
    m_correlationLabel->setText(tr("Could not read the related events: %1").arg(error.message()));
}

QTreeWidgetItem *RelatedPane::itemFor(const RecordedEvent &event) const
{
    for (int i = 0; i < m_correlated->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_correlated->topLevelItem(i);
        if (item->data(TypeColumn, kEventRole).value<RecordedEvent>().id == event.id)
            return item;
    }
    return nullptr;
}

void RelatedPane::activate(QTreeWidgetItem *item)
{
    if (!item)
        return;
    const auto e = item->data(TypeColumn, kEventRole).value<RecordedEvent>();
    emit openRequested(e.stream, e.version.value);
}

void RelatedPane::openMenu(QTreeWidget *tree, const QPoint &pos)
{
    QTreeWidgetItem *item = tree->itemAt(pos);
    if (!item)
        item = tree->currentItem();
    if (!item)
        return;
    tree->setCurrentItem(item);
    const auto e = item->data(TypeColumn, kEventRole).value<RecordedEvent>();
    auto *menu = new QMenu(tree);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Open S&tream at This Event"), this,
                    [this, e] { emit openRequested(e.stream, e.version.value); });
    menu->addAction(tr("Copy Event &ID"), this, [this, e] {
        const QString id = e.id.toString(QUuid::WithoutBraces);
        QApplication::clipboard()->setText(id);
        emit copied(tr("Copied the event id %1").arg(id));
    });
    menu->addAction(tr("Copy as &JSON"), this, [this, e] {
        QApplication::clipboard()->setText(JsonFormatter::eventAsJson(e));
        emit copied(tr("Copied %1 #%2 as JSON").arg(e.stream).arg(e.version.value));
    });
    menu->popup(tree->viewport()->mapToGlobal(pos));
}

} // namespace eventium::ui
