#include "rawjsonobject.h"

#include "eventium/types.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace eventium {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

qsizetype skipSpace(const QByteArray &text, qsizetype at)
{
    while (at < text.size() && isSpace(text.at(at)))
        ++at;
    return at;
}

// `at` is on the opening quote; returns the index after the closing one.
qsizetype stringEnd(const QByteArray &text, qsizetype at)
{
    for (++at; at < text.size(); ++at) {
        if (text.at(at) == '\\')
            ++at;
        else if (text.at(at) == '"')
            return at + 1;
    }
    return text.size();
}

// `at` is on the first character of a value; returns the index after it.
qsizetype valueEnd(const QByteArray &text, qsizetype at)
{
    const char first = text.at(at);
    if (first == '"')
        return stringEnd(text, at);
    if (first == '{' || first == '[') {
        int depth = 0;
        while (at < text.size()) {
            const char c = text.at(at);
            if (c == '"') {
                at = stringEnd(text, at);
                continue;
            }
            if (c == '{' || c == '[')
                ++depth;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return at + 1;
            }
            ++at;
        }
        return at;
    }
    // A number, true, false or null.
    while (at < text.size() && !isSpace(text.at(at)) && text.at(at) != ',' && text.at(at) != '}'
           && text.at(at) != ']')
        ++at;
    return at;
}

} // namespace

QString RawJsonObject::parse(const QByteArray &text)
{
    m_members.clear();
    if (text.contains('\0'))
        return QStringLiteral("contains a NUL byte");
    // Validate with Qt's parser first; the slicing below may then rely on well-formed input.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    // Qt's parser stops at its own depth (1024), beyond the store's: say the store's limit,
    // as the other paths do.
    if (error.error == QJsonParseError::DeepNesting)
        return QStringLiteral("is nested deeper than %1 levels").arg(NewEvent::maxJsonDepth);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("is not valid JSON: %1 at offset %2")
            .arg(error.errorString())
            .arg(error.offset);
    if (!doc.isObject())
        return QStringLiteral("is not a JSON object");

    qsizetype at = skipSpace(text, 0);
    if (at >= text.size() || text.at(at) != '{')
        return QStringLiteral("is not a JSON object");
    at = skipSpace(text, at + 1);
    while (at < text.size() && text.at(at) != '}') {
        if (text.at(at) != '"')
            return QStringLiteral("is not a JSON object");
        const qsizetype keyEnd = stringEnd(text, at);
        const QByteArray keyToken = text.mid(at, keyEnd - at);
        const QString key = QJsonDocument::fromJson('[' + keyToken + ']').array().at(0).toString();
        at = skipSpace(text, keyEnd);
        if (at >= text.size() || text.at(at) != ':')
            return QStringLiteral("is not a JSON object");
        at = skipSpace(text, at + 1);
        if (at >= text.size())
            return QStringLiteral("is not a JSON object");
        const qsizetype end = valueEnd(text, at);
        const QByteArray value = text.mid(at, end - at);
        bool replaced = false;
        for (auto &member : m_members) {
            if (member.first == key) { // the last of duplicate keys wins, as in QJsonDocument
                member.second = value;
                replaced = true;
            }
        }
        if (!replaced)
            m_members.append({key, value});
        at = skipSpace(text, end);
        if (at < text.size() && text.at(at) == ',')
            at = skipSpace(text, at + 1);
    }
    return {};
}

bool RawJsonObject::contains(const QString &key) const
{
    for (const auto &member : m_members) {
        if (member.first == key)
            return true;
    }
    return false;
}

QByteArray RawJsonObject::raw(const QString &key) const
{
    for (const auto &member : m_members) {
        if (member.first == key)
            return member.second;
    }
    return {};
}

QStringList RawJsonObject::keys() const
{
    QStringList out;
    for (const auto &member : m_members)
        out << member.first;
    return out;
}

} // namespace eventium
