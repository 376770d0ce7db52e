// Search expressions as people type them (GlobalFilter::where), turned into JSON containment
// or a JSON path predicate.
#include "eventium/types.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

namespace eventium {

namespace {

struct Step
{
    QString key; // a member name
    int index = -1; // or an array index (>= 0)
};

bool isIdentifierStart(QChar c)
{
    return c.isLetter() || c == QLatin1Char('_');
}

bool isIdentifierPart(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-');
}

// `a.b[2].c` or `"first name".x`; false with `error` set.
bool parsePath(const QString &text, QList<Step> *steps, QString *error)
{
    qsizetype i = 0;
    const qsizetype n = text.size();
    bool expectKey = true;
    while (i < n) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('[')) {
            const qsizetype close = text.indexOf(QLatin1Char(']'), i);
            bool ok = false;
            const int index = close < 0 ? -1 : text.mid(i + 1, close - i - 1).trimmed().toInt(&ok);
            if (!ok || index < 0) {
                *error
                    = QStringLiteral("expected an array index like [0] at \"%1\"").arg(text.mid(i));
                return false;
            }
            steps->append({QString(), index});
            i = close + 1;
            expectKey = false;
            continue;
        }
        if (c == QLatin1Char('.') && !expectKey) {
            ++i;
            expectKey = true;
            continue;
        }
        if (!expectKey) {
            *error = QStringLiteral("expected . or [ at \"%1\"").arg(text.mid(i));
            return false;
        }
        if (c == QLatin1Char('"')) {
            QString key;
            ++i;
            while (i < n && text.at(i) != QLatin1Char('"')) {
                if (text.at(i) == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                key += text.at(i++);
            }
            if (i >= n) {
                *error = QStringLiteral("a quoted member name is not closed");
                return false;
            }
            ++i;
            steps->append({key, -1});
        } else if (isIdentifierStart(c)) {
            const qsizetype start = i;
            while (i < n && isIdentifierPart(text.at(i)))
                ++i;
            steps->append({text.mid(start, i - start), -1});
        } else {
            *error = QStringLiteral("expected a member name at \"%1\"").arg(text.mid(i));
            return false;
        }
        expectKey = false;
    }
    if (steps->isEmpty() || expectKey) {
        *error = QStringLiteral("expected a member name");
        return false;
    }
    return true;
}

// A JSON scalar: a JSON literal, or a bare word taken as a string.
QByteArray valueJson(const QString &text)
{
    QJsonParseError error;
    const QByteArray wrapped = "[" + text.toUtf8() + "]";
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &error);
    if (error.error == QJsonParseError::NoError && doc.isArray() && doc.array().size() == 1) {
        const QJsonValue v = doc.array().at(0);
        if (!v.isObject() && !v.isArray())
            return text.trimmed().toUtf8(); // as typed: big numbers keep their digits
    }
    return QJsonDocument(QJsonArray {text}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

QByteArray quoteKey(const QString &key)
{
    return QJsonDocument(QJsonArray {key}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

} // namespace

std::optional<SearchExpression> SearchExpression::parse(const QString &expression, QString *error)
{
    const QString text = expression.trimmed();
    if (text.isEmpty()) {
        *error = QStringLiteral("the expression is empty");
        return std::nullopt;
    }
    if (text.startsWith(QLatin1Char('$')))
        return SearchExpression {Kind::JsonPath, text.toUtf8()};

    // path OP value: the operator is the first one outside quotes.
    static const QRegularExpression op(QStringLiteral("(==|!=|<=|>=|=|<|>)"));
    qsizetype at = -1;
    QString oper;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        // Within quotes a backslash escapes the next character, a quote or a backslash, so
        // that "a\\" ends at its last quote.
        if (quoted) {
            if (text.at(i) == QLatin1Char('\\'))
                ++i;
            else if (text.at(i) == QLatin1Char('"'))
                quoted = false;
            continue;
        }
        if (text.at(i) == QLatin1Char('"')) {
            quoted = true;
            continue;
        }
        const auto m = op.match(text, i, QRegularExpression::NormalMatch,
                                QRegularExpression::AnchorAtOffsetMatchOption);
        if (m.hasMatch()) {
            at = i;
            oper = m.captured(1);
            break;
        }
    }
    if (at <= 0) {
        *error = QStringLiteral("expected `field = value`, `field > value` or a JSON path "
                                "starting with $");
        return std::nullopt;
    }
    QList<Step> steps;
    if (!parsePath(text.left(at).trimmed(), &steps, error))
        return std::nullopt;
    const QString valueText = text.mid(at + oper.size()).trimmed();
    if (valueText.isEmpty()) {
        *error = QStringLiteral("expected a value after %1").arg(oper);
        return std::nullopt;
    }
    const QByteArray value = valueJson(valueText);
    const bool onlyKeys
        = std::all_of(steps.begin(), steps.end(), [](const Step &s) { return s.index < 0; });
    if ((oper == QLatin1String("=") || oper == QLatin1String("==")) && onlyKeys) {
        QByteArray json = value;
        for (auto it = steps.rbegin(); it != steps.rend(); ++it)
            json = "{" + quoteKey(it->key) + ":" + json + "}";
        return SearchExpression {Kind::Containment, json};
    }
    QByteArray path = "$";
    for (const Step &s : steps)
        path += s.index >= 0 ? "[" + QByteArray::number(s.index) + "]" : "." + quoteKey(s.key);
    const QByteArray jsonOp = oper == QLatin1String("=") ? QByteArray("==") : oper.toUtf8();
    return SearchExpression {Kind::JsonPath, path + " " + jsonOp + " " + value};
}

} // namespace eventium
