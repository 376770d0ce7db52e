#include "jsonhighlighter.h"

#include <QGuiApplication>
#include <QPalette>

namespace eventium::ui {

namespace {

QTextCharFormat charFormat(const QColor &color, bool bold = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::DemiBold);
    return f;
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    const QColor keyColor = dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x0b, 0x4f, 0x9e);
    const QColor stringColor = dark ? QColor(0xce, 0x91, 0x78) : QColor(0x1a, 0x7f, 0x37);
    const QColor numberColor = dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0xb3, 0x54, 0x00);
    const QColor literalColor = dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x8e, 0x24, 0xaa);
    const QColor punctColor = dark ? QColor(0x90, 0x90, 0x90) : QColor(0x70, 0x70, 0x70);

    // Later rules win where they overlap: a number inside a string is a string.
    m_rules.append({QRegularExpression(QStringLiteral("[{}\\[\\],:]")), charFormat(punctColor)});
    m_rules.append(
        {QRegularExpression(QStringLiteral("-?\\b\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?\\b")),
         charFormat(numberColor)});
    m_rules.append({QRegularExpression(QStringLiteral("\\b(?:true|false|null)\\b")),
                    charFormat(literalColor, true)});
    m_rules.append(
        {QRegularExpression(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"")), charFormat(stringColor)});
    m_rules.append({QRegularExpression(QStringLiteral("(\"(?:[^\"\\\\]|\\\\.)*\")\\s*:")),
                    charFormat(keyColor), 1});
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    for (const Rule &rule : std::as_const(m_rules)) {
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const auto match = it.next();
            setFormat(int(match.capturedStart(rule.group)), int(match.capturedLength(rule.group)),
                      rule.format);
        }
    }
}

} // namespace eventium::ui
