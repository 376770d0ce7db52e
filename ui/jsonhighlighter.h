#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace eventium::ui {

// Colours JSON: keys, strings, numbers, literals (true/false/null) and punctuation. Works
// line by line (pretty-printed JSON has no line breaks inside tokens). Picks colours that
// read well on the palette's base colour, light or dark.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit JsonHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group = 0;
    };
    QList<Rule> m_rules;
};

} // namespace eventium::ui
