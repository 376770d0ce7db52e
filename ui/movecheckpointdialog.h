#pragma once

#include <eventium/toolkit/subscription.h>

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace eventium::ui {

// "Move Checkpoint…": where a subscription should go on from, a position (0 to the head:
// the last position counted as handled) or the head. Says what the move means (events
// handled again, or skipped) as the position is typed; the pane asks once more before moving.
class MoveCheckpointDialog : public QDialog
{
    Q_OBJECT
public:
    MoveCheckpointDialog(const toolkit::SubscriptionStatus &subscription,
                         QWidget *parent = nullptr);

    // The checkpoint chosen; GlobalPosition::end() for the head.
    GlobalPosition target() const;
    // What the move changes, in words ("handles positions 6 to 20 again").
    QString effect() const;

    QRadioButton *positionChoice() const { return m_toPosition; }
    QRadioButton *headChoice() const { return m_toHead; }
    QLineEdit *positionEdit() const { return m_position; }
    QPushButton *moveButton() const { return m_move; }
    QLabel *effectLabel() const { return m_effect; }

private:
    void update();
    // The position typed, or -1 when it is not one within 0..head.
    qint64 typedPosition() const;

    toolkit::SubscriptionStatus m_subscription;
    QRadioButton *m_toPosition;
    QRadioButton *m_toHead;
    QLineEdit *m_position;
    QLabel *m_effect;
    QPushButton *m_move;
};

} // namespace eventium::ui
