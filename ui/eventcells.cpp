#include "eventcells.h"

#include "eventpagecache.h"

#include "jsonformatter.h"

#include <QBrush>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QPalette>

namespace eventium::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("eventium::ui::EventCells", text);
}

bool isNumber(EventField field)
{
    return field == EventField::Position || field == EventField::Version;
}

QVariant display(EventField field, const RecordedEvent *e, EventField keyField, qint64 key,
                 bool offline)
{
    if (field == keyField)
        return key;
    if (!e) {
        if (field != EventField::Type)
            return {};
        return offline ? tr("not loaded: server unreachable") : tr("loading…");
    }
    if (EventPageCache::isHidden(*e))
        return field == EventField::Type ? QVariant(tr("(deleted or truncated)")) : QVariant();
    switch (field) {
    case EventField::Position:
        return e->position.value > 0 ? QVariant(e->position.value) : QVariant(tr("pending"));
    case EventField::Stream:
        return e->stream;
    case EventField::Version:
        return e->version.value;
    case EventField::Type:
        return e->isErased() ? tr("%1 (erased)").arg(e->type) : e->type;
    case EventField::Time:
        return tableTime(e->created);
    }
    return {};
}

} // namespace

QString tableTime(const QDateTime &time, const QDate &today)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    return local.toString(local.date() == today ? QStringLiteral("HH:mm:ss.zzz")
                                                : QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString listTime(const QDateTime &time, const QDate &today)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    return local.toString(local.date() == today ? QStringLiteral("HH:mm:ss")
                                                : QStringLiteral("yyyy-MM-dd"));
}

QVariant eventCell(EventField field, int role, const RecordedEvent *event, EventField keyField,
                   qint64 key, bool offline)
{
    switch (role) {
    case Qt::DisplayRole:
        return display(field, event, keyField, key, offline);
    case Qt::ForegroundRole:
        if (!event || event->isErased() || EventPageCache::isHidden(*event)
            || (field == EventField::Position && event->position.value == 0))
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::TextAlignmentRole:
        return isNumber(field) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        if (!event)
            return {};
        if (EventPageCache::isHidden(*event))
            return tr("Readers no longer see this event: its stream was deleted or truncated, or "
                      "it is past the stream's max count or age. Its place stays.");
        return tr("%1 #%2 — %3\n%4")
            .arg(event->stream)
            .arg(event->version.value)
            .arg(event->id.toString(QUuid::WithoutBraces),
                 JsonFormatter::displayTime(event->created));
    default:
        return {};
    }
}

QVariant eventHeader(EventField field, int role)
{
    if (role == Qt::TextAlignmentRole)
        return isNumber(field) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (field) {
    case EventField::Position:
        return tr("Position");
    case EventField::Stream:
        return tr("Stream");
    case EventField::Version:
        return tr("Version");
    case EventField::Type:
        return tr("Type");
    case EventField::Time:
        return tr("Time");
    }
    return {};
}

} // namespace eventium::ui
