#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QPlainTextEdit;
class QTimer;

namespace eventium::ui {

// Colours JSON in a QPlainTextEdit: keys, strings, numbers, literals (true/false/null) and
// punctuation. Works line by line (pretty-printed JSON has no line breaks inside tokens).
// Picks colours that read well on the palette's base colour, light or dark.
//
// Only the lines on screen (and a margin around them) are coloured, when they come into view:
// the cost of showing or scrolling a document of any size is that of one screenful, and a
// line longer than kMaxLineChars is left plain.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    static constexpr int kMaxLineChars = 4000;

    explicit JsonHighlighter(QPlainTextEdit *edit);

    // How many lines have been coloured since the text was last set (for tests).
    int highlightedLines() const { return m_highlighted; }

protected:
    void highlightBlock(const QString &text) override;

private:
    void followView();

    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group = 0;
    };
    QList<Rule> m_rules;
    QPlainTextEdit *m_edit;
    QTimer *m_follow;
    // The block numbers coloured when they change; others wait until they are on screen.
    int m_first = 0;
    int m_last = 0;
    int m_highlighted = 0;
};

} // namespace eventium::ui
