#pragma once

#include <eventium/types.h>

#include <QWidget>

#include <optional>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace eventium {
class StoreError;
}

namespace eventium::ui {

class StoreWorker;

// The events related to the selected one (Store::related): above, every event of its
// business process (the same correlation id) in global order; below, the tree of causes and
// effects it belongs to, from its root, with the event itself selected. Asks the worker only
// while it is visible (and again when it is shown); stale answers are dropped. Enter or a
// double click on a row (or its menu) opens that event's stream at it.
class RelatedPane : public QWidget
{
    Q_OBJECT
public:
    explicit RelatedPane(StoreWorker *worker, QWidget *parent = nullptr);

    // The event whose relations to show (nullopt: none).
    void setEvent(const std::optional<RecordedEvent> &event);
    const std::optional<RecordedEvent> &event() const { return m_event; }
    // Asks again for the current event.
    void reload();
    // Whether an answer is awaited.
    bool isLoading() const { return m_token != 0; }

    QTreeWidget *correlationList() const { return m_correlated; }
    QTreeWidget *causationTree() const { return m_causation; }
    QLabel *correlationLabel() const { return m_correlationLabel; }
    QLabel *causationLabel() const { return m_causationLabel; }
    // The most related events a list shows.
    static constexpr int kLimit = 1000;

signals:
    void openRequested(const QString &stream, qint64 version);
    void copied(const QString &what);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onRelated(quint64 token, const QUuid &eventId, bool found, const RelatedEvents &related);
    void onFailed(quint64 token, const StoreError &error);
    void clearLists();
    QTreeWidgetItem *itemFor(const RecordedEvent &event) const;
    void openMenu(QTreeWidget *tree, const QPoint &pos);
    void activate(QTreeWidgetItem *item);

    StoreWorker *m_worker;
    std::optional<RecordedEvent> m_event;
    quint64 m_token = 0;
    QUuid m_shown; // the event whose relations the lists hold
    QLabel *m_correlationLabel;
    QLabel *m_causationLabel;
    QTreeWidget *m_correlated;
    QTreeWidget *m_causation;
};

} // namespace eventium::ui
