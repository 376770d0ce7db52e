#include "textslicer.h"

#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTimer>

namespace eventium::ui {

TextSlicer::TextSlicer(QPlainTextEdit *edit)
    : QObject(edit)
    , m_edit(edit)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(0);
    connect(m_timer, &QTimer::timeout, this, &TextSlicer::addSlice);
}

void TextSlicer::start(const QTextCursor &cursor, QString text)
{
    m_cursor = cursor;
    m_cursor.removeSelectedText();
    m_text = std::move(text);
    m_done = 0;
    m_timer->start();
}

void TextSlicer::stop()
{
    m_timer->stop();
    m_text.clear();
    m_done = 0;
}

bool TextSlicer::isActive() const
{
    return m_timer->isActive();
}

int TextSlicer::percent() const
{
    return m_text.isEmpty() ? 100 : int(100 * m_done / m_text.size());
}

void TextSlicer::addSlice()
{
    qsizetype end = qMin(m_text.size(), m_done + kSliceChars);
    if (end < m_text.size()) {
        const qsizetype newline = m_text.indexOf(QLatin1Char('\n'), end);
        end = newline < 0 ? m_text.size() : newline + 1;
    }
    QScrollBar *bar = m_edit->verticalScrollBar();
    const int scroll = bar->value();
    m_cursor.insertText(QStringView(m_text).mid(m_done, end - m_done).toString());
    bar->setValue(scroll);
    m_done = end;
    if (m_done < m_text.size()) {
        emit progressed(percent());
        return;
    }
    m_timer->stop();
    m_text.clear();
    m_done = 0;
    emit progressed(100);
    emit finished();
}

} // namespace eventium::ui
