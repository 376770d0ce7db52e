#pragma once

#include <eventium/types.h>

#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QToolButton;
class QSplitter;

namespace eventium::ui {

// One event in full: its identity in a compact header, then payload and metadata as
// pretty, highlighted, read-only JSON; "Copy as JSON" copies the whole event.
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

    QPlainTextEdit *payloadEdit() const { return m_payload; }
    QPlainTextEdit *metadataEdit() const { return m_metadata; }
    QSplitter *splitter() const { return m_splitter; }

signals:
    void copied(const QString &what);

private:
    std::optional<RecordedEvent> m_event;
    QLabel *m_title;
    QLabel *m_fields;
    QToolButton *m_copy;
    QPlainTextEdit *m_payload;
    QPlainTextEdit *m_metadata;
    QSplitter *m_splitter;
};

} // namespace eventium::ui
