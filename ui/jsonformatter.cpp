#include "jsonformatter.h"

#include <QCoreApplication>
#include <QLocale>

namespace eventium::ui {

QString JsonFormatter::pretty(const QByteArray &json, int indent)
{
    const QString in = QString::fromUtf8(json);
    QString out;
    out.reserve(in.size() * 2);
    int depth = 0;
    bool inString = false;
    auto newline = [&] {
        out += QLatin1Char('\n');
        out += QString(depth * indent, QLatin1Char(' '));
    };
    for (int i = 0; i < in.size(); ++i) {
        const QChar c = in.at(i);
        if (inString) {
            out += c;
            if (c == QLatin1Char('\\') && i + 1 < in.size()) {
                out += in.at(++i);
            } else if (c == QLatin1Char('"')) {
                inString = false;
            }
            continue;
        }
        switch (c.unicode()) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            int j = i + 1;
            while (j < in.size() && in.at(j).isSpace())
                ++j;
            const QChar close = c == QLatin1Char('{') ? QLatin1Char('}') : QLatin1Char(']');
            if (j < in.size() && in.at(j) == close) {
                out += c;
                out += close;
                i = j;
                break;
            }
            out += c;
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            depth = qMax(0, depth - 1);
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += QLatin1String(": ");
            break;
        default:
            if (!c.isSpace())
                out += c;
            break;
        }
    }
    return inString || depth != 0 ? in : out;
}

QString JsonFormatter::quote(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : text) {
        switch (c.unicode()) {
        case '"':
            out += QLatin1String("\\\"");
            break;
        case '\\':
            out += QLatin1String("\\\\");
            break;
        case '\n':
            out += QLatin1String("\\n");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += QLatin1Char('"');
    return out;
}

QString JsonFormatter::displayDuration(qint64 seconds)
{
    const auto tr
        = [](const char *text) { return QCoreApplication::translate("JsonFormatter", text); };
    const QLocale locale;
    if (seconds > 0 && seconds % 86400 == 0)
        return seconds == 86400 ? tr("1 day") : tr("%1 days").arg(locale.toString(seconds / 86400));
    if (seconds > 0 && seconds % 3600 == 0)
        return seconds == 3600 ? tr("1 hour") : tr("%1 hours").arg(locale.toString(seconds / 3600));
    if (seconds > 0 && seconds % 60 == 0)
        return seconds == 60 ? tr("1 minute") : tr("%1 minutes").arg(locale.toString(seconds / 60));
    return tr("%1 s").arg(locale.toString(seconds));
}

QString JsonFormatter::displayTime(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString JsonFormatter::splitLongLines(const QString &text, int maxLineChars)
{
    QString out;
    qsizetype lineStart = 0;
    bool changed = false;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text.at(i) != QLatin1Char('\n'))
            continue;
        const qsizetype length = i - lineStart;
        if (length > maxLineChars && !changed) {
            out.reserve(text.size() + text.size() / maxLineChars + 1);
            out += QStringView(text).left(lineStart);
            changed = true;
        }
        if (changed) {
            for (qsizetype at = lineStart; at < i; at += maxLineChars) {
                if (at > lineStart)
                    out += QLatin1Char('\n');
                out += QStringView(text).mid(at, qMin<qsizetype>(maxLineChars, i - at));
            }
            if (i < text.size())
                out += QLatin1Char('\n');
        }
        lineStart = i + 1;
    }
    return changed ? out : text;
}

QString JsonFormatter::displaySize(qint64 bytes)
{
    if (bytes < 1024)
        return QCoreApplication::translate("eventium::ui::JsonFormatter", "%n byte(s)", nullptr,
                                           int(bytes));
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KB").arg(double(bytes) / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 MB").arg(double(bytes) / (1024.0 * 1024.0), 0, 'f', 1);
}

DisplayJson DisplayJson::prepare(const QByteArray &json)
{
    DisplayJson d;
    d.sourceBytes = json.size();
    d.text = JsonFormatter::splitLongLines(JsonFormatter::pretty(json), kMaxLineChars);
    qsizetype end = 0;
    int lines = 0;
    while (end < d.text.size() && lines < kPreviewLines) {
        qsizetype next = d.text.indexOf(QLatin1Char('\n'), end);
        next = next < 0 ? d.text.size() : next + 1;
        if (next > kPreviewChars && lines > 0)
            break;
        end = next;
        ++lines;
    }
    d.previewChars = end;
    d.previewLines = lines;
    d.lines = d.text.count(QLatin1Char('\n')) + 1;
    return d;
}

QString JsonFormatter::eventAsJson(const RecordedEvent &e)
{
    const QByteArray data = e.data.trimmed().isEmpty() ? QByteArray("null") : e.data;
    const QByteArray metadata = e.metadata.trimmed().isEmpty() ? QByteArray("null") : e.metadata;
    const QString compact
        = QStringLiteral("{\"position\":%1,\"stream\":%2,\"version\":%3,\"id\":%4,\"type\":%5,"
                         "\"created\":%6,\"data\":%7,\"metadata\":%8}")
              .arg(e.position.value > 0 ? QString::number(e.position.value)
                                        : QStringLiteral("null"),
                   quote(e.stream), QString::number(e.version.value),
                   quote(e.id.toString(QUuid::WithoutBraces)), quote(e.type),
                   quote(e.created.toUTC().toString(Qt::ISODateWithMs)), QString::fromUtf8(data),
                   QString::fromUtf8(metadata));
    return pretty(compact.toUtf8());
}

} // namespace eventium::ui
