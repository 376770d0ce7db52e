#pragma once

#include <eventium/types.h>

#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QToolButton;
class QSplitter;
class QTabWidget;

namespace eventium::ui {

class JsonPane;

// One event in full: its identity in a compact header, then payload and metadata as
// pretty, highlighted, read-only JSON text and as a tree (JsonPane: big documents are
// prepared off the UI thread and shown in part); "Copy as JSON" copies the whole event.
// Payload and metadata are the page "Event"; a view may add pages beside it (the Stream tab
// adds "State"); the page tabs show only when there is more than one.
class EventDetailView : public QWidget
{
    Q_OBJECT
public:
    explicit EventDetailView(QWidget *parent = nullptr);

    void setEvent(const std::optional<RecordedEvent> &event);
    const std::optional<RecordedEvent> &event() const { return m_event; }
    // The text "Copy as JSON" puts on the clipboard; empty without an event.
    QString eventJson() const;
    void copyAsJson();

    JsonPane *payloadPane() const { return m_payload; }
    JsonPane *metadataPane() const { return m_metadata; }
    QPlainTextEdit *payloadEdit() const;
    QPlainTextEdit *metadataEdit() const;
    QSplitter *splitter() const { return m_splitter; }
    // Adds a page beside "Event"; returns its index.
    int addPage(QWidget *page, const QString &title);
    QTabWidget *pages() const { return m_pages; }

signals:
    // From the payload's tree: search the Live tab for a value (a Where expression).
    void searchRequested(const QString &expression);
    // setEvent() was given another event (or none).
    void eventChanged(const std::optional<eventium::RecordedEvent> &event);
    void copied(const QString &what);

private:
    std::optional<RecordedEvent> m_event;
    QLabel *m_title;
    QLabel *m_fields;
    QToolButton *m_copy;
    JsonPane *m_payload;
    JsonPane *m_metadata;
    QSplitter *m_splitter;
    QTabWidget *m_pages;
};

} // namespace eventium::ui
