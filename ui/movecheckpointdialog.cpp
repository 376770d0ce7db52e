#include "movecheckpointdialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace eventium::ui {

MoveCheckpointDialog::MoveCheckpointDialog(const toolkit::SubscriptionStatus &subscription,
                                           QWidget *parent)
    : QDialog(parent)
    , m_subscription(subscription)
{
    setObjectName(QStringLiteral("moveCheckpointDialog"));
    setWindowTitle(tr("Move Checkpoint"));
    const QLocale locale;
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(
        tr("<b>%1</b> has handled up to position %2; the head is %3.<br>Choose the last "
           "position it should count as handled: it goes on after it.")
            .arg(subscription.name.toHtmlEscaped(), locale.toString(subscription.checkpoint.value),
                 locale.toString(subscription.head.value)),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *grid = new QGridLayout;
    m_toPosition = new QRadioButton(tr("To &position"), this);
    m_toPosition->setObjectName(QStringLiteral("toPosition"));
    m_position = new QLineEdit(this);
    m_position->setObjectName(QStringLiteral("position"));
    m_position->setPlaceholderText(tr("0 to %1").arg(subscription.head.value));
    m_position->setText(QString::number(subscription.checkpoint.value));
    m_toHead = new QRadioButton(tr("To the &head (%1): skip everything numbered so far")
                                    .arg(locale.toString(subscription.head.value)),
                                this);
    m_toHead->setObjectName(QStringLiteral("toHead"));
    auto *group = new QButtonGroup(this);
    group->addButton(m_toPosition);
    group->addButton(m_toHead);
    m_toPosition->setChecked(true);
    grid->addWidget(m_toPosition, 0, 0);
    grid->addWidget(m_position, 0, 1);
    grid->addWidget(m_toHead, 1, 0, 1, 2);
    layout->addLayout(grid);

    m_effect = new QLabel(this);
    m_effect->setObjectName(QStringLiteral("effect"));
    m_effect->setWordWrap(true);
    layout->addWidget(m_effect);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_move = buttons->addButton(tr("&Move…"), QDialogButtonBox::AcceptRole);
    m_move->setObjectName(QStringLiteral("move"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_position, &QLineEdit::textChanged, this, &MoveCheckpointDialog::update);
    connect(m_toPosition, &QRadioButton::toggled, this, &MoveCheckpointDialog::update);
    connect(m_position, &QLineEdit::textEdited, this, [this] { m_toPosition->setChecked(true); });
    update();
    m_position->setFocus();
    m_position->selectAll();
}

qint64 MoveCheckpointDialog::typedPosition() const
{
    bool ok = false;
    const qint64 p = m_position->text().trimmed().toLongLong(&ok);
    return ok && p >= 0 && p <= m_subscription.head.value ? p : -1;
}

GlobalPosition MoveCheckpointDialog::target() const
{
    if (m_toHead->isChecked())
        return GlobalPosition::end();
    return GlobalPosition(typedPosition());
}

QString MoveCheckpointDialog::effect() const
{
    const QLocale locale;
    const qint64 from = m_subscription.checkpoint.value;
    const qint64 to = m_toHead->isChecked() ? m_subscription.head.value : typedPosition();
    if (to < 0)
        return {};
    if (to == from)
        return tr("It stays where it is.");
    if (to < from)
        return tr("It handles positions %1 to %2 again (%3 events).")
            .arg(locale.toString(to + 1), locale.toString(from), locale.toString(from - to));
    return tr("It skips positions %1 to %2 (%3 events) without handling them.")
        .arg(locale.toString(from + 1), locale.toString(to), locale.toString(to - from));
}

void MoveCheckpointDialog::update()
{
    const bool valid = m_toHead->isChecked() || typedPosition() >= 0;
    m_move->setEnabled(valid);
    if (valid) {
        m_effect->setText(effect());
        m_effect->setStyleSheet(QString());
    } else {
        m_effect->setText(
            tr("A position is a whole number from 0 (nothing handled) to the head, %1.")
                .arg(QLocale().toString(m_subscription.head.value)));
        m_effect->setStyleSheet(QStringLiteral("color: #c62828;"));
    }
}

} // namespace eventium::ui
