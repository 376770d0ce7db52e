#pragma once

#include <QDate>
#include <QDateTime>
#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace eventium::ui {

// Where Ctrl+G goes: a number (a version of the stream on the Stream tab, a global position
// on the Live tab) or a time (the first event at or after it).
struct JumpTarget
{
    qint64 number = 0; // > 0 for a number
    QDateTime time; // valid for a time
    QString error; // why the text is neither (empty while nothing is typed)

    bool isValid() const { return number > 0 || time.isValid(); }

    // "17", "1,234"; "14:03", "14:03:07.250" (today, local time); "2026-11-30",
    // "2026-11-30 14:03", "2026-11-30T14:03:07Z", "2026-11-30T14:03:07+01:00" (ISO 8601,
    // local time without an offset).
    static JumpTarget parse(const QString &text, const QDate &today = QDate::currentDate());
};

// Asks for a JumpTarget, saying as you type what it will go to; OK only for a valid one.
class JumpDialog : public QDialog
{
    Q_OBJECT
public:
    // `what` names the number: "version" or "position".
    JumpDialog(const QString &title, const QString &prompt, const QString &what,
               QWidget *parent = nullptr);

    JumpTarget target() const;
    QLineEdit *edit() const { return m_edit; }
    QLabel *hint() const { return m_hint; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void update();

    QString m_what;
    QLineEdit *m_edit;
    QLabel *m_hint;
    QDialogButtonBox *m_buttons;
};

} // namespace eventium::ui
