#include "jumpdialog.h"

#include "jsonformatter.h"

#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTimeZone>
#include <QVBoxLayout>

namespace eventium::ui {

JumpTarget JumpTarget::parse(const QString &input, const QDate &today)
{
    JumpTarget target;
    const QString text = input.trimmed();
    if (text.isEmpty())
        return target;
    bool ok = false;
    qint64 number = QLocale().toLongLong(text, &ok);
    if (!ok)
        number = text.toLongLong(&ok);
    if (ok) {
        if (number >= 1)
            target.number = number;
        else
            target.error
                = QCoreApplication::translate("eventium::ui::JumpDialog", "numbers start at 1");
        return target;
    }
    // A time of day is today's.
    for (const char *format : {"H:mm", "H:mm:ss", "H:mm:ss.zzz"}) {
        const QTime time = QTime::fromString(text, QLatin1String(format));
        if (time.isValid()) {
            target.time = QDateTime(today, time);
            return target;
        }
    }
    // ISO 8601, with a space allowed between the date and the time.
    QString iso = text;
    if (iso.size() > 10 && iso.at(10) == QLatin1Char(' '))
        iso[10] = QLatin1Char('T');
    QDateTime time = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!time.isValid() && iso.size() == 10) {
        const QDate date = QDate::fromString(iso, Qt::ISODate);
        if (date.isValid())
            time = QDateTime(date, QTime(0, 0));
    }
    if (time.isValid()) {
        target.time = time;
        return target;
    }
    target.error = QCoreApplication::translate(
        "eventium::ui::JumpDialog", "not a number or a time (14:03, 2026-11-30 14:03:07)");
    return target;
}

JumpDialog::JumpDialog(const QString &title, const QString &prompt, const QString &what,
                       QWidget *parent)
    : QDialog(parent)
    , m_what(what)
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("jumpDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(prompt, this);
    label->setWordWrap(true);
    layout->addWidget(label);
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("jumpTarget"));
    m_edit->setPlaceholderText(tr("%1, or a time such as 14:03 or 2026-11-30 14:03:07").arg(what));
    label->setBuddy(m_edit);
    layout->addWidget(m_edit);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("jumpHint"));
    m_hint->setWordWrap(true);
    layout->addWidget(m_hint);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Go"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    connect(m_edit, &QLineEdit::textChanged, this, &JumpDialog::update);
    // Wide enough for its title (window managers cut a title to the window) and the prompt.
    const QFontMetrics metrics(font());
    setMinimumWidth(qMax(440, metrics.horizontalAdvance(title) + 200));
    update();
}

JumpTarget JumpDialog::target() const
{
    return JumpTarget::parse(m_edit->text());
}

void JumpDialog::update()
{
    const JumpTarget t = target();
    QString hint;
    if (t.number > 0)
        hint = tr("Goes to %1 %2.").arg(m_what, QLocale().toString(t.number));
    else if (t.time.isValid())
        hint
            = tr("Goes to the first event at or after %1.").arg(JsonFormatter::displayTime(t.time));
    else
        hint = t.error;
    m_hint->setText(hint);
    m_hint->setStyleSheet(t.isValid() || t.error.isEmpty() ? QStringLiteral("color: palette(mid);")
                                                           : QStringLiteral("color: #c62828;"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(t.isValid());
}

} // namespace eventium::ui
