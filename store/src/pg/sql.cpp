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

} // namespace eventium::pg
