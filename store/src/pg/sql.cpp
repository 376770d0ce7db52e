#include "sql.h"

namespace eventium::pg {

QString quoteIdent(const QString &ident)
{
    return QLatin1Char('"') + QString(ident).replace(QLatin1Char('"'), QStringLiteral("\"\""))
        + QLatin1Char('"');
}

QString quoteLiteral(const QString &text)
{
    return QLatin1Char('\'') + QString(text).replace(QLatin1Char('\''), QStringLiteral("''"))
        + QLatin1Char('\'');
}

QByteArray param(qint64 value)
{
    return QByteArray::number(value);
}

QByteArray param(const QString &value)
{
    return value.toUtf8();
}

QByteArray textArray(const QStringList &items)
{
    QString out = QStringLiteral("{");
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += QLatin1Char(',');
        out += QLatin1Char('"');
        for (const QChar c : items.at(i)) {
            if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
                out += QLatin1Char('\\');
            out += c;
        }
        out += QLatin1Char('"');
    }
    out += QLatin1Char('}');
    return out.toUtf8();
}

QString notificationChannel(const QString &schema)
{
    return QStringLiteral("eventium_") + schema.toLower();
}

std::optional<QString> prefixUpperBound(const QString &prefix)
{
    QList<uint> points = prefix.toUcs4();
    while (!points.isEmpty()) {
        const uint last = points.takeLast();
        if (last >= 0x10FFFF)
            continue; // nothing above it: raise the one before
        uint next = last + 1;
        if (next >= 0xD800 && next <= 0xDFFF)
            next = 0xE000;
        points.append(next);
        return QString::fromUcs4(reinterpret_cast<const char32_t *>(points.constData()),
                                 points.size());
    }
    return std::nullopt;
}

QString epochMillis(const QString &column)
{
    return QStringLiteral(
               "CASE WHEN %1 > '1700-01-01 00:00:00+00' AND %1 < '2250-01-01 00:00:00+00' "
               "THEN floor(round(date_part('epoch', %1) * 1000000) / 1000)::int8 "
               "ELSE floor(extract(epoch FROM %1) * 1000)::int8 END")
        .arg(column);
}

} // namespace eventium::pg
