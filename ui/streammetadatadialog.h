#pragma once

#include <eventium/types.h>

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QSpinBox;

namespace eventium::ui {

// Shows and edits a stream's metadata: how many of its newest events readers see, and how
// old they may be. What the limits would hide is said as they change; hidden events keep
// their positions until a scavenge removes them.
class StreamMetadataDialog : public QDialog
{
    Q_OBJECT
public:
    explicit StreamMetadataDialog(const StreamInfo &info, QWidget *parent = nullptr);

    const QString &stream() const { return m_stream; }
    StreamMetadata metadata() const;

    QCheckBox *countLimited() const { return m_countLimited; }
    QSpinBox *maxCount() const { return m_maxCount; }
    QCheckBox *ageLimited() const { return m_ageLimited; }
    QSpinBox *maxAge() const { return m_maxAge; }
    QComboBox *ageUnit() const { return m_ageUnit; }
    QLabel *summary() const { return m_summary; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void update();

    QString m_stream;
    qint64 m_version = 0;
    qint64 m_firstVisible = 1;
    QCheckBox *m_countLimited;
    QSpinBox *m_maxCount;
    QCheckBox *m_ageLimited;
    QSpinBox *m_maxAge;
    QComboBox *m_ageUnit;
    QLabel *m_summary;
    QDialogButtonBox *m_buttons;
};

} // namespace eventium::ui
