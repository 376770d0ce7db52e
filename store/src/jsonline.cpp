#include "eventium/jsonline.h"

namespace eventium {

QByteArray JsonLine::quote(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                out += QByteArray::number(c, 16).rightJustified(2, '0');
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    return out;
}

void JsonLine::key(const char *key)
{
    m_body += m_body.isEmpty() ? '{' : ',';
    m_body += quote(QString::fromUtf8(key));
    m_body += ':';
}

JsonLine &JsonLine::add(const char *k, const QString &value)
{
    key(k);
    m_body += quote(value);
    return *this;
}

JsonLine &JsonLine::add(const char *k, qint64 value)
{
    key(k);
    m_body += QByteArray::number(value);
    return *this;
}

JsonLine &JsonLine::add(const char *k, double value)
{
    key(k);
    m_body += QByteArray::number(value, 'f', 3);
    return *this;
}

JsonLine &JsonLine::addNull(const char *k)
{
    key(k);
    m_body += "null";
    return *this;
}

JsonLine &JsonLine::addRaw(const char *k, const QByteArray &json)
{
    key(k);
    const QByteArray trimmed = json.trimmed();
    m_body += trimmed.isEmpty() ? QByteArray("null") : trimmed;
    return *this;
}

JsonLine &JsonLine::add(const char *k, const QStringList &strings)
{
    key(k);
    m_body += '[';
    for (qsizetype i = 0; i < strings.size(); ++i) {
        if (i)
            m_body += ',';
        m_body += quote(strings.at(i));
    }
    m_body += ']';
    return *this;
}

QByteArray JsonLine::toJson() const
{
    return m_body.isEmpty() ? QByteArray("{}") : m_body + '}';
}

} // namespace eventium
