#include "jsonhighlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>
#include <QTimer>

namespace eventium::ui {

namespace {

// Lines coloured beyond the screen, above and below, so that short scrolls find them done.
constexpr int kMargin = 40;
// Until the view has been laid out: the first lines.
constexpr int kInitialLines = 200;

QTextCharFormat charFormat(const QColor &color, bool bold = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::DemiBold);
    return f;
}

// Marks a block as coloured.
struct Coloured : QTextBlockUserData
{
};

} // namespace

JsonHighlighter::JsonHighlighter(QPlainTextEdit *edit)
    : QSyntaxHighlighter(edit)
    , m_edit(edit)
    , m_follow(new QTimer(this))
    , m_last(kInitialLines)
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

    // Setting the text starts again at the top; scrolling, resizing and edits move the window
    // of coloured lines (once per event-loop turn, however many updates there were).
    m_follow->setSingleShot(true);
    m_follow->setInterval(0);
    connect(m_follow, &QTimer::timeout, this, &JsonHighlighter::followView);
    connect(edit->verticalScrollBar(), &QScrollBar::valueChanged, m_follow,
            qOverload<>(&QTimer::start));
    connect(edit, &QPlainTextEdit::updateRequest, m_follow, qOverload<>(&QTimer::start));
    connect(edit->document(), &QTextDocument::contentsChange, this,
            [this](int position, int removed, int added) {
                Q_UNUSED(removed);
                if (position == 0 && added >= m_edit->document()->characterCount() - 1) {
                    // The whole text was replaced.
                    m_first = 0;
                    m_last = kInitialLines;
                    m_highlighted = 0;
                }
                m_follow->start();
            });
    setDocument(edit->document());
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const int number = currentBlock().blockNumber();
    if (number < m_first || number > m_last || text.size() > kMaxLineChars) {
        setCurrentBlockUserData(nullptr);
        return;
    }
    for (const Rule &rule : std::as_const(m_rules)) {
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const auto match = it.next();
            setFormat(int(match.capturedStart(rule.group)), int(match.capturedLength(rule.group)),
                      rule.format);
        }
    }
    setCurrentBlockUserData(new Coloured);
    ++m_highlighted;
}

void JsonHighlighter::followView()
{
    const QTextBlock top = m_edit->cursorForPosition(QPoint(0, 0)).block();
    const QTextBlock bottom
        = m_edit->cursorForPosition(QPoint(0, m_edit->viewport()->height())).block();
    if (!top.isValid() || !bottom.isValid())
        return;
    m_first = qMax(0, top.blockNumber() - kMargin);
    m_last = bottom.blockNumber() + kMargin;
    QTextBlock block = m_edit->document()->findBlockByNumber(m_first);
    while (block.isValid() && block.blockNumber() <= m_last) {
        if (!block.userData() && block.length() <= kMaxLineChars + 1)
            rehighlightBlock(block);
        block = block.next();
    }
}

} // namespace eventium::ui
