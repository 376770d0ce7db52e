#include "streammetadatadialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace eventium::ui {

namespace {

constexpr qint64 kUnits[] = {1, 60, 3600, 86400};

} // namespace

StreamMetadataDialog::StreamMetadataDialog(const StreamInfo &info, QWidget *parent)
    : QDialog(parent)
    , m_stream(info.name)
    , m_version(info.version.value)
    , m_firstVisible(info.firstVisible.value)
    , m_countLimited(new QCheckBox(tr("Keep only the &newest"), this))
    , m_maxCount(new QSpinBox(this))
    , m_ageLimited(new QCheckBox(tr("Keep only events &younger than"), this))
    , m_maxAge(new QSpinBox(this))
    , m_ageUnit(new QComboBox(this))
    , m_summary(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Stream Metadata — %1").arg(info.name));
    m_maxCount->setRange(1, 1000000000);
    m_maxCount->setSuffix(tr(" events"));
    m_maxCount->setGroupSeparatorShown(true);
    m_maxAge->setRange(1, 1000000);
    m_ageUnit->addItems({tr("seconds"), tr("minutes"), tr("hours"), tr("days")});
    m_summary->setWordWrap(true);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Set"));

    m_countLimited->setChecked(info.metadata.maxCount.has_value());
    m_maxCount->setValue(int(qMin<qint64>(info.metadata.maxCount.value_or(100), 1000000000)));
    m_ageLimited->setChecked(info.metadata.maxAge.has_value());
    // The largest unit that divides the age exactly.
    const qint64 seconds = info.metadata.maxAge ? info.metadata.maxAge->count() : 30 * 86400;
    int unit = 3;
    while (unit > 0 && seconds % kUnits[unit] != 0)
        --unit;
    m_ageUnit->setCurrentIndex(unit);
    m_maxAge->setValue(int(qMin<qint64>(seconds / kUnits[unit], 1000000)));

    auto *count = new QHBoxLayout;
    count->addWidget(m_countLimited);
    count->addWidget(m_maxCount, 1);
    auto *age = new QHBoxLayout;
    age->addWidget(m_ageLimited);
    age->addWidget(m_maxAge, 1);
    age->addWidget(m_ageUnit);
    auto *layout = new QVBoxLayout(this);
    auto *intro
        = new QLabel(tr("Readers see %1's events from version %2 to %3, limited further by:")
                         .arg(info.name, QLocale().toString(info.firstVisible.value),
                              QLocale().toString(info.version.value)),
                     this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addLayout(count);
    layout->addLayout(age);
    layout->addWidget(m_summary);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QCheckBox *box : {m_countLimited, m_ageLimited})
        connect(box, &QCheckBox::toggled, this, &StreamMetadataDialog::update);
    for (QSpinBox *spin : {m_maxCount, m_maxAge})
        connect(spin, &QSpinBox::valueChanged, this, &StreamMetadataDialog::update);
    connect(m_ageUnit, &QComboBox::currentIndexChanged, this, &StreamMetadataDialog::update);
    update();
}

StreamMetadata StreamMetadataDialog::metadata() const
{
    StreamMetadata m;
    if (m_countLimited->isChecked())
        m.maxCount = m_maxCount->value();
    if (m_ageLimited->isChecked())
        m.maxAge = std::chrono::seconds(qint64(m_maxAge->value())
                                        * kUnits[qBound(0, m_ageUnit->currentIndex(), 3)]);
    return m;
}

void StreamMetadataDialog::update()
{
    m_maxCount->setEnabled(m_countLimited->isChecked());
    m_maxAge->setEnabled(m_ageLimited->isChecked());
    m_ageUnit->setEnabled(m_ageLimited->isChecked());
    const StreamMetadata m = metadata();
    QStringList said;
    if (m.maxCount) {
        const qint64 visible = qMax<qint64>(0, m_version - m_firstVisible + 1);
        const qint64 hidden = qMax<qint64>(0, visible - *m.maxCount);
        said << (hidden > 0 ? tr("%1 of the events readers see now would be hidden.")
                                  .arg(QLocale().toString(hidden))
                            : tr("No event readers see now would be hidden by the count."));
    }
    if (m.maxAge)
        said << tr("Events older than that are hidden as they age.");
    if (!m.maxCount && !m.maxAge)
        said << tr("No limits: readers see every event not truncated or deleted.");
    said << tr("Hidden events keep their positions; a scavenge removes their rows.");
    m_summary->setText(said.join(QLatin1Char(' ')));
}

} // namespace eventium::ui
