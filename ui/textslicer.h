#pragma once

#include <QObject>
#include <QString>
#include <QTextCursor>

class QPlainTextEdit;
class QTimer;

namespace eventium::ui {

// Puts a long text into a QPlainTextEdit a slice at a time, one slice per event-loop turn
// (whole lines, about kSliceChars characters each), at a cursor that follows what was put
// in: the window stays responsive while megabytes go in, and where the view is stays put.
class TextSlicer : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kSliceChars = 32 * 1024;

    explicit TextSlicer(QPlainTextEdit *edit);

    // Starts putting `text` in at `cursor` (replacing its selection), after what is there.
    void start(const QTextCursor &cursor, QString text);
    void stop();
    bool isActive() const;
    // 0 to 100.
    int percent() const;

signals:
    void progressed(int percent);
    void finished();

private:
    void addSlice();

    QPlainTextEdit *m_edit;
    QTimer *m_timer;
    QTextCursor m_cursor;
    QString m_text;
    qsizetype m_done = 0;
};

} // namespace eventium::ui
