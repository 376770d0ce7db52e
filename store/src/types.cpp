#include "eventium/types.h"

namespace eventium {

bool isControl(QChar c)
{
    // C0, DEL and C1 (U+0080 to U+009F, e.g. U+0085 NEXT LINE).
    return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f);
}

QString StreamName::validate(const QString &name)
{
    if (name.isEmpty())
        return QStringLiteral("a stream name cannot be empty");
    const QByteArray utf8 = name.toUtf8();
    if (utf8.size() > maxBytes)
        return QStringLiteral("a stream name is at most %1 bytes of UTF-8 (this one has %2)")
            .arg(maxBytes)
            .arg(utf8.size());
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        if (c.isHighSurrogate() && i + 1 < name.size() && name.at(i + 1).isLowSurrogate()) {
            ++i;
            continue;
        }
        if (c.isSurrogate())
            return QStringLiteral("a stream name must be valid Unicode (lone surrogate)");
        if (isControl(c))
            return QStringLiteral("a stream name cannot contain control characters (found U+%1)")
                .arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return {};
}

std::optional<ExpectedVersion> ExpectedVersion::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("any"))
        return any();
    if (t == QLatin1String("no-stream") || t == QLatin1String("nostream")
        || t == QLatin1String("no_stream"))
        return noStream();
    if (t == QLatin1String("exists") || t == QLatin1String("stream-exists"))
        return streamExists();
    bool ok = false;
    const qint64 v = t.toLongLong(&ok);
    if (!ok || v < 0)
        return std::nullopt;
    return exact(v);
}

QString ExpectedVersion::toString() const
{
    if (isAny())
        return QStringLiteral("any");
    if (isNoStream())
        return QStringLiteral("no-stream");
    if (isStreamExists())
        return QStringLiteral("exists");
    return QString::number(m_code);
}

} // namespace eventium
