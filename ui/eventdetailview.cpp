#include "eventdetailview.h"

#include "iconprovider.h"
#include "jsonformatter.h"
#include "jsonpane.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

QWidget *section(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *label = new QLabel(QStringLiteral("<b>%1</b>").arg(title.toHtmlEscaped()), box);
    label->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(label);
    auto *frame = new QFrame(box);
    frame->setFrameShape(QFrame::StyledPanel);
    auto *fl = new QVBoxLayout(frame);
    fl->setContentsMargins(1, 1, 1, 1);
    fl->addWidget(content);
    content->setParent(frame);
    layout->addWidget(frame, 1);
    return box;
}

} // namespace

EventDetailView::EventDetailView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    auto *header = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("eventTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header->addWidget(m_title, 1);
    m_copy = new QToolButton(this);
    m_copy->setObjectName(QStringLiteral("copyJson"));
    m_copy->setText(tr("Copy as JSON"));
    m_copy->setIcon(IconProvider::icon(QStringLiteral("copy")));
    m_copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copy->setToolTip(tr("Copy the whole event as one JSON object (Ctrl+C)"));
    m_copy->setAutoRaise(true);
    connect(m_copy, &QToolButton::clicked, this, &EventDetailView::copyAsJson);
    header->addWidget(m_copy);
    layout->addLayout(header);

    m_fields = new QLabel(this);
    m_fields->setObjectName(QStringLiteral("eventFields"));
    m_fields->setTextFormat(Qt::RichText);
    m_fields->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fields->setWordWrap(true);
    layout->addWidget(m_fields);

    m_payload = new JsonPane(QStringLiteral("payload"), this);
    m_metadata = new JsonPane(QStringLiteral("metadata"), this);
    connect(m_payload, &JsonPane::copied, this, &EventDetailView::copied);
    m_payload->setSearchable(true);
    connect(m_payload, &JsonPane::searchRequested, this, &EventDetailView::searchRequested);
    connect(m_metadata, &JsonPane::copied, this, &EventDetailView::copied);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(section(tr("Payload"), m_payload, m_splitter));
    m_splitter->addWidget(section(tr("Metadata"), m_metadata, m_splitter));
    m_splitter->setStretchFactor(0, 2);
    m_splitter->setStretchFactor(1, 1);
    m_pages = new QTabWidget(this);
    m_pages->setObjectName(QStringLiteral("eventPages"));
    m_pages->setDocumentMode(true);
    m_pages->setTabBarAutoHide(true);
    m_pages->addTab(m_splitter, tr("Eve&nt"));
    m_pages->setTabToolTip(0, tr("The event's payload and metadata"));
    layout->addWidget(m_pages, 1);
    setEvent(std::nullopt);
}

void EventDetailView::setEvent(const std::optional<RecordedEvent> &event)
{
    const bool changed = event.has_value() != m_event.has_value()
        || (event && (event->id != m_event->id || event->isErased() != m_event->isErased()));
    m_event = event;
    if (changed)
        emit eventChanged(m_event);
    m_copy->setEnabled(event.has_value());
    if (!event) {
        m_title->setText(tr("No event selected"));
        m_fields->setText(
            QStringLiteral("<span style='color:palette(mid)'>%1</span>")
                .arg(tr("Select an event to see its payload and metadata.").toHtmlEscaped()));
        m_payload->clear();
        m_metadata->clear();
        return;
    }
    const RecordedEvent &e = *event;
    m_title->setText(e.isErased() ? tr("%1 (erased)").arg(e.type) : e.type);
    auto row = [](const QString &k, const QString &v) {
        return QStringLiteral(
                   "<tr><td style='padding-right:12px; color:palette(placeholder-text)'>%1</td>"
                   "<td>%2</td></tr>")
            .arg(k.toHtmlEscaped(), v.toHtmlEscaped());
    };
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='1'>");
    html += row(tr("Stream"), e.stream);
    html += row(tr("Version"), QString::number(e.version.value));
    html += row(tr("Position"),
                e.position.value > 0 ? QString::number(e.position.value) : tr("pending"));
    html += row(tr("Event ID"), e.id.toString(QUuid::WithoutBraces));
    html += row(tr("Created"), JsonFormatter::displayTime(e.created));
    if (e.isErased())
        html += row(
            tr("Erased"),
            tr("%1 — its payload and metadata are gone").arg(JsonFormatter::displayTime(e.erased)));
    html += QStringLiteral("</table>");
    m_fields->setText(html);
    m_payload->setJson(e.data);
    m_metadata->setJson(e.metadata);
}

int EventDetailView::addPage(QWidget *page, const QString &title)
{
    return m_pages->addTab(page, title);
}

QPlainTextEdit *EventDetailView::payloadEdit() const
{
    return m_payload->textEdit();
}

QPlainTextEdit *EventDetailView::metadataEdit() const
{
    return m_metadata->textEdit();
}

QString EventDetailView::eventJson() const
{
    return m_event ? JsonFormatter::eventAsJson(*m_event) : QString();
}

void EventDetailView::copyAsJson()
{
    if (!m_event)
        return;
    QApplication::clipboard()->setText(eventJson());
    emit copied(tr("Copied %1 #%2 as JSON").arg(m_event->stream).arg(m_event->version.value));
}

} // namespace eventium::ui
